/**
 * Place names that may refine an answer without being a second candidate: "Kyoto, Japan",
 * "Springfield, Illinois", "Kilimanjaro, in Tanzania". A place refines only when it is larger
 * than the gold (a country after a city, a continent after a country); "Guinea, Ghana" names
 * two countries and is a list. Names are normalised (lowercase, no accents, "and" for "&").
 */
import { normalizeAnswer } from './normalize.ts';

/** Tier 1: US states and other first-level regions often named after a city. */
const REGIONS =
  'alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|' +
  'hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|' +
  'michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|' +
  'new mexico|new york|north carolina|north dakota|ohio|oklahoma|oregon|pennsylvania|' +
  'rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington|' +
  'west virginia|wisconsin|wyoming|ontario|quebec|british columbia|alberta|manitoba|' +
  'nova scotia|england|scotland|wales|northern ireland|catalonia|andalusia|bavaria|tuscany|' +
  'lombardy|sicily|provence|normandy|brittany|new south wales|victoria|queensland|tasmania|' +
  'abruzzo|hokkaido|honshu|kyushu|siberia|punjab|bengal|kerala|california usa';

/** Tier 2: countries (short and long forms). */
const COUNTRIES =
  'afghanistan|albania|algeria|andorra|angola|argentina|armenia|australia|austria|azerbaijan|' +
  'bahamas|bahrain|bangladesh|barbados|belarus|belgium|belize|benin|bhutan|bolivia|' +
  'bosnia and herzegovina|botswana|brazil|brunei|bulgaria|burkina faso|burundi|cambodia|' +
  'cameroon|canada|cape verde|chad|chile|china|colombia|comoros|congo|costa rica|croatia|cuba|' +
  'cyprus|czech republic|czechia|denmark|djibouti|dominica|dominican republic|ecuador|egypt|' +
  'el salvador|equatorial guinea|eritrea|estonia|eswatini|ethiopia|fiji|finland|france|gabon|' +
  'gambia|georgia|germany|ghana|greece|grenada|guatemala|guinea|guinea bissau|guyana|haiti|' +
  'honduras|hungary|iceland|india|indonesia|iran|iraq|ireland|israel|italy|ivory coast|' +
  'jamaica|japan|jordan|kazakhstan|kenya|kiribati|kosovo|kuwait|kyrgyzstan|laos|latvia|' +
  'lebanon|lesotho|liberia|libya|liechtenstein|lithuania|luxembourg|madagascar|malawi|' +
  'malaysia|maldives|mali|malta|mauritania|mauritius|mexico|micronesia|moldova|monaco|' +
  'mongolia|montenegro|morocco|mozambique|myanmar|namibia|nauru|nepal|netherlands|' +
  'new zealand|nicaragua|niger|nigeria|north korea|north macedonia|norway|oman|pakistan|palau|' +
  'palestine|panama|papua new guinea|paraguay|peru|philippines|poland|portugal|qatar|romania|' +
  'russia|russian federation|rwanda|samoa|san marino|saudi arabia|senegal|serbia|seychelles|' +
  'sierra leone|singapore|slovakia|slovenia|somalia|south africa|south korea|south sudan|spain|' +
  'sri lanka|sudan|suriname|sweden|switzerland|syria|taiwan|tajikistan|tanzania|thailand|' +
  'togo|tonga|trinidad and tobago|tunisia|turkey|turkmenistan|tuvalu|uganda|ukraine|' +
  'united arab emirates|uae|united kingdom|uk|great britain|britain|united states|' +
  'united states of america|usa|us|america|uruguay|uzbekistan|vanuatu|vatican city|venezuela|' +
  'vietnam|yemen|zambia|zimbabwe|korea|holland|scotland uk|england uk';

/** Tier 3: continents and large regions. */
const CONTINENTS =
  'africa|europe|asia|north america|south america|central america|latin america|oceania|' +
  'antarctica|the caribbean|caribbean|middle east|west africa|east africa|north africa|' +
  'southern africa|east asia|southeast asia|south asia|central asia|western europe|' +
  'eastern europe|scandinavia|balkans|caucasus|the balkans|the middle east|pacific|polynesia';

const TIERS: ReadonlyArray<[number, readonly string[]]> = [
  [1, REGIONS.split('|')],
  [2, COUNTRIES.split('|')],
  [3, CONTINENTS.split('|')],
];

/** Normalised place name -> its largest tier (Georgia is a state and a country: 2). */
const PLACE_TIER = new Map<string, number>();
for (const [tier, names] of TIERS) {
  for (const n of names) {
    const key = normalizeAnswer(n);
    PLACE_TIER.set(key, Math.max(tier, PLACE_TIER.get(key) ?? 0));
  }
}

/** Longest place name in words, for phrase matching. */
export const LONGEST_PLACE = Math.max(...[...PLACE_TIER.keys()].map((k) => k.split(' ').length));

/** Tier of a normalised place name (0 when it is not a known place). */
export function placeTier(normalized: string): number {
  return PLACE_TIER.get(normalized) ?? 0;
}
