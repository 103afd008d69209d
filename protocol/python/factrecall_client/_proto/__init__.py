"""Stubs generated from protocol/factrecall.proto by grpcio-tools (see regen.py; a test checks they are current)."""
