/**
 * A Stepper over the server's gRPC unary methods (Make, Reset, Step): one call per verb, the
 * style of a simple client that does not keep a stream. The protocol's own client speaks the
 * stream; this is the few lines a unary user would write.
 */
import * as grpc from '@grpc/grpc-js';
import { ROLE_METADATA } from '../../protocol/grpc-server.ts';
import { loadPackage, requestToProto, responseFromProto } from '../../protocol/proto-codec.ts';
import type { Verb } from '../../protocol/schema.ts';
import type { Stepper } from './drive.ts';

type Call = (
  req: unknown,
  md: grpc.Metadata,
  cb: (err: grpc.ServiceError | null, res: unknown) => void,
) => void;
type UnaryClient = grpc.Client & Record<'Make' | 'Reset' | 'Step' | 'Close', Call>;

export interface UnaryEnv extends Stepper {
  close(): Promise<void>;
}

export async function openUnaryEnv(address: string, envId: string): Promise<UnaryEnv> {
  const v1 = (loadPackage().factrecall as grpc.GrpcObject).v1 as grpc.GrpcObject;
  const Ctor = v1.FactRecall as unknown as new (
    a: string,
    c: grpc.ChannelCredentials,
    o: object,
  ) => UnaryClient;
  const client = new Ctor(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
  });
  const md = new grpc.Metadata();
  md.set(ROLE_METADATA, 'policy');
  const call = <T>(method: 'Make' | 'Reset' | 'Step' | 'Close', verb: Verb, body: unknown) =>
    new Promise<T>((resolve, reject) =>
      client[method].call(client, requestToProto(verb, body), md, (err, res) =>
        err ? reject(err) : resolve(responseFromProto(verb, res) as T),
      ),
    );
  const { handle } = await call<{ handle: string }>('Make', 'make', { envId });
  return {
    reset: (o) => call('Reset', 'reset', { handle, ...o }),
    step: (actions) => call('Step', 'step', { handle, actions }),
    close: async () => {
      await call('Close', 'close', { handle }).catch(() => undefined);
      // The generated client has a `close` method (the Close RPC) over grpc.Client's own.
      grpc.Client.prototype.close.call(client);
    },
  };
}
