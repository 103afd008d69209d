import { makeFactRecallV0 } from './env/factrecall-v0.ts';
const env: any = makeFactRecallV0({});
const T: Record<string, number> = {};
for (const name of ['validateBatch', 'judgeBatch']) {
  const f = env[name].bind(env);
  env[name] = (...a: any[]) => { const t = performance.now(); const r = f(...a); const done = (x: any) => { T[name] = (T[name] ?? 0) + performance.now() - t; return x; }; return r instanceof Promise ? r.then(done) : done(r); };
}
const book = env.book;
for (const name of ['settle']) {
  const f = book[name].bind(book);
  book[name] = (...a: any[]) => { const t = performance.now(); const r = f(...a); T[name] = (T[name] ?? 0) + performance.now() - t; return r; };
}
let tot = 0, rt = 0;
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  const r = await env.reset({ split: 'train', batchSize: 4096, groupSize: 1 });
  rt += performance.now() - t0;
  const actions = r.observations.map((o: any) => ({ episodeId: o.episodeId, answer: 'x' }));
  const t4 = performance.now();
  await env.step(actions);
  tot += performance.now() - t4;
}
console.log('reset', rt/8, 'step ms avg', tot / 8, Object.fromEntries(Object.entries(T).map(([k, v]) => [k, (v / 8).toFixed(1)])));
