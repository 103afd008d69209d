/**
 * The fixed trivia questions the model benchmarks prompt with (model-server.ts, generation.ts):
 * the same prompts for every engine, so their tokens/s compare.
 */
export const QUESTIONS = [
  'Who wrote the novel Moby-Dick?',
  'What is the capital of Australia?',
  'In which year did the Berlin Wall fall?',
  'Which planet is known as the Red Planet?',
  'Who painted the Mona Lisa?',
  'What is the chemical symbol for gold?',
  'Which country hosted the 2016 Summer Olympics?',
  'Who discovered penicillin?',
];
