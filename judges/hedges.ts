/**
 * Recognising answers that commit to nothing: refusals ("I don't know", "I couldn't tell you",
 * "As an AI I cannot browse"), bare hedges ("not sure") and refusals that name what they do not
 * know ("I don't know the capital of Mongolia"). Works on normalised text (apostrophes already
 * dropped: "dont", "im").
 *
 * A refusal is recognised by patterns, not a fixed phrase list: a negated modal or verb of
 * knowing ("do not / cannot / couldnt / unable to ... know / say / tell / recall / confirm"),
 * "not sure / certain / aware", "no idea / clue / information", and a few single words. What is
 * left once the refusal is removed must be filler: function words, generic nouns ("the name of
 * that city") and words of the question. Anything else is a committed (hedged) answer: "Not sure,
 * maybe Paris" is graded on "Paris".
 */
import { normalizeAnswer, wordsOf } from './normalize.ts';

const NEGATED =
  '(?:dont|do not|doesnt|does not|didnt|did not|cannot|cant|can not|could not|couldnt|wont|will not|would not|wouldnt|shouldnt|should not|am not able to|are not able to|not able to|unable to|have no way to|no way to|rather not|prefer not to|not in a position to)';
const KNOWING =
  '(?:know|say|tell|recall|remember|answer|determine|find|provide|be sure|be certain|help|confirm|verify|guess|identify|access|browse|check|comment|speculate|give|recollect|think of|name|look up)';

/** Refusal and hedge patterns, matched on ` ${normalised} ` (each keeps its own spaces). */
const REFUSALS: readonly RegExp[] = [
  new RegExp(` ${NEGATED}(?: \\S+){0,2}? ${KNOWING}(?= )`, 'g'),
  / not (?:completely |entirely |totally |quite |really |very |100 |fully )?(?:sure|certain|aware|confident|positive|familiar|known)(?= )/g,
  / (?:no|zero) (?:idea|clue|answer|information|data|knowledge|records?|details|way to (?:know|tell))(?= )/g,
  / (?:dont|do not|does not|doesnt|lack|lacks|have no|has no)(?: \S+){0,3}? (?:information|knowledge|data|idea|answer|clue|access)(?= )/g,
  / (?:beyond|outside|not within|exceeds) (?:my|our|the) (?:knowledge|expertise|training|scope|data)(?= )/g,
  / (?:havent|have not|never) (?:seen|heard|read|come across)(?= )/g,
  / as an (?:ai|assistant|language model)(?= )/g,
  / (?:unsure|uncertain|unknown|unclear|idk|dunno|unanswerable|n a|no comment|pass|hmm+)(?= )/g,
];

/** Words that may surround a refusal without making it an answer. */
const FILLER = new Set(
  (
    'i im ive id me my mine we our us you your youre it its itll this that thats these those ' +
    'there theres here is are was were be been being am do does did have has had having and or ' +
    'but if of to in on at by for with about from as into than then so such very really just ' +
    'quite too also not no yes sorry well honestly unfortunately afraid hmm um uh oh okay ok ' +
    'please thanks thank think guess believe say tell know sure maybe perhaps possibly probably ' +
    'would could can cannot cant will wont should shall may might must who what whats when ' +
    'where which whom whose why how answer answers question questions information one ones ' +
    'thing things name names exact exactly precise precisely specific specifically right now ' +
    'off top head moment currently present offhand memory hand any anything something all ' +
    'sure certain enough reliable reliably correct correctly accurate accurately real time ' +
    'internet web online search database sources source up look access browse check verify ' +
    'person people place city town country year date number book film movie song band word ' +
    'topic subject fact facts detail details that one this one again myself further more ' +
    'the a an currently unable able way'
  ).split(' '),
);

/**
 * True when the answer, once refusals and filler are removed, commits to nothing: blank text,
 * "I don't know", "Sorry, I'm not sure", "N/A", "I don't know the capital of Mongolia" (with
 * the question given). "Not sure, maybe Paris" is a committed (hedged) answer: false.
 */
export function isNonAnswer(prediction: string, question = ''): boolean {
  const normalized = normalizeAnswer(prediction);
  if (normalized === '') return true;
  let text = ` ${normalized} `;
  for (const re of REFUSALS) text = text.replace(re, ' \u0004 ');
  if (!text.includes('\u0004')) return false;
  // "I don't know [who directed 10]": what is not known is not an answer, up to a word that
  // turns to a candidate ("... but maybe Paris").
  text = text.replace(
    / \u0004\s+(?:who|what|whats|when|where|which|whom|whose|why|how|if|whether)\b(?:(?! (?:but|maybe|perhaps|probably|possibly|guess|think|might|could) )[^\u0004])*/g,
    ' ',
  );
  text = text
    .replace(/\u0004/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
  const asked = new Set(wordsOf(normalizeAnswer(question)));
  return wordsOf(text).every((w) => FILLER.has(w) || asked.has(w));
}

/** Normalised text with every refusal and hedge phrase cut out ("not sure, maybe paris" ->
 * "maybe paris"): the judges look for negations and candidates in what is left. */
export function stripHedges(normalized: string): string {
  let text = ` ${normalized} `;
  for (const re of REFUSALS) text = text.replace(re, ' ');
  return text.trim().replace(/\s+/g, ' ');
}
