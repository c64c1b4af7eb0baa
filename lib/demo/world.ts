// The demo world: who calls which provider through which channel from where, and the
// July 2024 story. OpenAI's direct API starts blocking CN, HK, MO, RU, IR and KP on a
// policy date, while Azure OpenAI keeps serving Chinese callers through the 21Vianet
// joint venture from models deployed outside China.

export const OPENAI_BLOCKED_REGIONS = ['CN', 'HK', 'MO', 'RU', 'IR', 'KP'] as const;
export const SANCTIONED_REGIONS = ['IR', 'KP'] as const;

/** Caller regions with their share of traffic and an approximate UTC offset for rhythm. */
export const REGIONS: ReadonlyArray<readonly [code: string, weight: number, utcOffset: number]> = [
  ['US', 24, -6], ['CN', 13, 8], ['GB', 6, 0], ['DE', 6, 1], ['JP', 6, 9], ['IN', 6, 5],
  ['HK', 4, 8], ['FR', 4, 1], ['KR', 3, 9], ['SG', 3, 8], ['BR', 3, -3], ['CA', 3, -5],
  ['RU', 3, 3], ['AU', 2, 10], ['AE', 2, 4], ['NL', 2, 1], ['MX', 2, -6], ['ID', 2, 7],
  ['VN', 2, 7], ['TW', 2, 8], ['IR', 1, 3], ['NG', 1, 1], ['ZA', 1, 2], ['TR', 1, 3],
  ['MO', 0.6, 8], ['KP', 0.2, 9],
];

export interface Route {
  provider: string;
  channel: string;
  models: readonly string[];
  servingRegions: readonly string[];
}

export const ROUTES = {
  openaiDirect: { provider: 'openai', channel: 'direct', models: ['gpt-4o', 'gpt-4o-mini', 'o1-mini', 'text-embedding-3-small'], servingRegions: ['us-east', 'us-west', 'eu-west'] },
  openaiReseller: { provider: 'openai', channel: 'reseller-acme', models: ['gpt-4o', 'gpt-4o-mini'], servingRegions: ['us-east'] },
  azureGlobal: { provider: 'azure-openai', channel: 'azure-global', models: ['gpt-4o', 'gpt-4o-mini', 'gpt-35-turbo'], servingRegions: ['eastus', 'swedencentral', 'westeurope', 'japaneast'] },
  azureChina: { provider: 'azure-openai', channel: 'azure-china-21vianet', models: ['gpt-4o', 'gpt-4o-mini', 'gpt-35-turbo'], servingRegions: ['japaneast', 'southeastasia'] },
  anthropicDirect: { provider: 'anthropic', channel: 'direct', models: ['claude-3-5-sonnet', 'claude-3-haiku'], servingRegions: ['us-east', 'us-west'] },
  anthropicBedrock: { provider: 'anthropic', channel: 'aws-bedrock', models: ['claude-3-5-sonnet', 'claude-3-haiku'], servingRegions: ['us-east-1', 'eu-central-1', 'ap-northeast-1'] },
  geminiDirect: { provider: 'google-gemini', channel: 'direct', models: ['gemini-1.5-pro', 'gemini-1.5-flash'], servingRegions: ['us-central1', 'europe-west4'] },
  geminiVertex: { provider: 'google-gemini', channel: 'gcp-vertex', models: ['gemini-1.5-pro', 'gemini-1.5-flash'], servingRegions: ['us-central1', 'asia-northeast1'] },
  mistralDirect: { provider: 'mistral', channel: 'direct', models: ['mistral-large', 'mistral-small'], servingRegions: ['eu-west'] },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

/** Providers that never served a region during the demo period. */
export const ALWAYS_BLOCKED: Readonly<Record<string, readonly string[]>> = {
  anthropic: ['CN', 'HK', 'MO', 'RU', 'IR', 'KP'],
  'google-gemini': ['CN', 'HK', 'MO', 'RU', 'IR', 'KP'],
  'azure-openai/azure-global': ['CN', 'RU', 'IR', 'KP'],
};

const COMPANY_WORDS = ['Acme', 'Blue', 'Crane', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iris', 'Jade',
  'Kite', 'Lotus', 'Maple', 'Nimbus', 'Orbit', 'Pine', 'Quartz', 'River', 'Summit', 'Tide', 'Umbra', 'Vertex',
  'Willow', 'Xenon', 'Yarrow', 'Zephyr'];
const COMPANY_KINDS = ['Robotics', 'Analytics', 'Health', 'Logistics', 'Labs', 'Finance', 'Media', 'Games',
  'Retail', 'Software', 'Education', 'Energy', 'Legal', 'Travel', 'Security'];

export function companyName(index: number): string {
  const a = COMPANY_WORDS[index % COMPANY_WORDS.length]!;
  const b = COMPANY_KINDS[Math.floor(index / COMPANY_WORDS.length) % COMPANY_KINDS.length]!;
  const n = Math.floor(index / (COMPANY_WORDS.length * COMPANY_KINDS.length));
  return n === 0 ? `${a} ${b}` : `${a} ${b} ${n + 1}`;
}
