import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import t from 'tap';
import { CONFIG_VALIDATOR_PATH, configValidatorSource } from '../scripts/generate-config-validator.js';
import { ConfigError, MIN_TOKEN_LENGTH, parseApiUrl, parseConfig } from '../src/config.js';

const TOKEN = 'dop_v1_c0ffee_CONFIG_SECRET_42';

/** The error parseConfig throws for `raw`, or a failed assertion when it accepts it. */
function rejection(raw: unknown): ConfigError {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`);
}

t.test('the compiled config validator is spec.json as it stands (npm run generate:config-validator)', async (t) => {
  const spec = JSON.parse(readFileSync(new URL('../spec.json', import.meta.url), 'utf8')) as { connectionSpecification: object };
  const committed = readFileSync(new URL(`../${CONFIG_VALIDATOR_PATH}`, import.meta.url), 'utf8');
  t.equal(committed, configValidatorSource(spec.connectionSpecification));
  t.not(configValidatorSource({ ...spec.connectionSpecification, required: [] }), committed, 'a changed spec gives other code');
});

t.test('spec.json is a valid JSON Schema (the compiled validator never checks it)', async (t) => {
  const spec = JSON.parse(readFileSync(new URL('../spec.json', import.meta.url), 'utf8')) as { connectionSpecification: object };
  const ajv = new Ajv({ strict: false });
  t.equal(ajv.validateSchema(spec.connectionSpecification), true, JSON.stringify(ajv.errors));
  t.equal(ajv.validateSchema({ type: 'object', properties: { x: { type: 'strin' } } }), false, 'a broken schema would be caught');
});

t.test('defaults are applied', async (t) => {
  t.same(parseConfig({ api_token: TOKEN }), {
    apiToken: TOKEN,
    apiOrigin: 'https://api.digitalocean.com',
    startDate: undefined,
    requestsPerMinute: 240,
    maxConcurrency: 8,
    maxResponseBytes: 64 * 1024 * 1024,
    maxPagesPerList: 5000,
  });
});

t.test('every field is read', async (t) => {
  t.same(
    parseConfig({
      api_token: TOKEN,
      api_url: 'https://mirror.example:8443/',
      start_date: '2024-01-01T00:00:00Z',
      requests_per_minute: 100,
      max_concurrency: 2,
      max_response_size_mb: 3,
      max_pages_per_list: 10,
      unknown_extra: true,
    }),
    {
      apiToken: TOKEN,
      apiOrigin: 'https://mirror.example:8443',
      startDate: '2024-01-01T00:00:00Z',
      requestsPerMinute: 100,
      maxConcurrency: 2,
      maxResponseBytes: 3 * 1024 * 1024,
      maxPagesPerList: 10,
    },
  );
});

t.test('the request budget and the freshness bounds of incremental child streams', async (t) => {
  const config = parseConfig({ api_token: TOKEN, request_budget: 800, freshness_hours_scale: 0.5, freshness_hours: [{ stream: 'droplet_kernels', hours: 24 }] });
  t.equal(config.requestBudget, 800);
  t.same(config.freshness, { hoursScale: 0.5, hours: { droplet_kernels: 24 } });
  t.same(parseConfig({ api_token: TOKEN, freshness_hours: [{ stream: 'database_firewall_rules', hours: 2 }] }).freshness, { hoursScale: 1, hours: { database_firewall_rules: 2 } }, 'the scale defaults to 1');
  t.throws(() => parseConfig({ api_token: TOKEN, freshness_hours: [{ stream: 'droplets', hours: 2 }] }), /'freshness_hours' names 'droplets', which is not a stream with a freshness bound/, 'only streams that have a bound');
  t.throws(() => parseConfig({ api_token: TOKEN, freshness_hours: [{ stream: 'droplet_kernels', hours: 0 }] }), ConfigError, 'a bound of at least one hour');
  t.throws(() => parseConfig({ api_token: TOKEN, request_budget: 0 }), ConfigError, 'a budget of at least one request');
  t.throws(() => parseConfig({ api_token: TOKEN, freshness_hours_scale: 0 }), ConfigError, 'a positive scale');
});

t.test('api_url: https anywhere, http only for loopback; the origin is returned', async (t) => {
  const ok: [string, string][] = [
    ['https://api.digitalocean.com', 'https://api.digitalocean.com'],
    ['https://api.digitalocean.com/', 'https://api.digitalocean.com'],
    ['https://api.digitalocean.com:443', 'https://api.digitalocean.com'],
    ['HTTPS://API.DigitalOcean.com', 'https://api.digitalocean.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.45.6.7', 'http://127.45.6.7'],
    ['http://[::1]:9000', 'http://[::1]:9000'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://LOCALHOST', 'http://localhost'],
  ];
  for (const [input, origin] of ok) {
    t.equal(parseApiUrl(input), origin, input);
    t.equal(parseConfig({ api_token: TOKEN, api_url: input }).apiOrigin, origin, `${input} via parseConfig`);
  }
});

t.test('api_url: what is rejected, and why', async (t) => {
  const bad: [string, RegExp][] = [
    ['http://api.digitalocean.com', /https/],
    ['http://10.0.0.1', /https/],
    ['http://0.0.0.0:80', /https/],
    ['http://[::2]', /https/],
    ['http://127.0.0.1.nip.io', /https/],
    ['http://localhost.evil.example', /https/],
    ['ftp://api.digitalocean.com', /https/],
    ['file:///etc/passwd', /https|bare origin/],
    ['https://user:pass@api.digitalocean.com', /user name or password/],
    ['https://user@api.digitalocean.com', /user name or password/],
    [`https://${TOKEN}@api.digitalocean.com`, /user name or password/],
    ['https://api.digitalocean.com/v2', /path or query/],
    ['https://api.digitalocean.com/?x=1', /path or query/],
    ['https://api.digitalocean.com/#top', /path or query/],
    ['not a url', /not a valid URL/],
    ['', /not a valid URL/],
  ];
  for (const [input, why] of bad) {
    const error = rejection({ api_token: TOKEN, api_url: input });
    t.match(error.message, /'api_url'/, `${input}: names the field`);
    t.match(error.message, why, `${input}: ${String(why)}`);
    t.notMatch(error.message, TOKEN, `${input}: no token in the message`);
  }
});

t.test('api_token: empty, blank, whitespace, control and non-ASCII characters are rejected', async (t) => {
  const bad = ['', '   ', `${TOKEN}\n`, `\n${TOKEN}`, `${TOKEN} `, `dop v1`, `dop\tv1`, `dop\x00v1`, `dop\x1bv1`, `dop\x7fv1`, `“${TOKEN}”`, `${TOKEN}\u00a0`, `tök`];
  for (const token of bad) {
    const error = rejection({ api_token: token });
    t.type(error, ConfigError);
    t.equal(error.name, 'ConfigError');
    t.match(error.message, /'api_token'/, `${JSON.stringify(token)}: names the field`);
    if (token.trim().length > 0) t.notMatch(error.message, token.trim(), 'never echoes the value');
    t.notMatch(error.message, TOKEN);
  }
});

t.test('api_token: common words, JSON words and anything under 16 characters are rejected (spec.json minLength)', async (t) => {
  for (const token of ['type', 'RECORD', 'TRACE', 'message', 'emitted_at', 'password', 'dop_v1_short', 'x'.repeat(15)]) {
    const error = rejection({ api_token: token });
    t.match(error.message, /'api_token' is too short .*16 characters/, token);
    t.notMatch(error.message, token, `${token}: never echoes the value`);
  }
  t.equal(parseConfig({ api_token: 'x'.repeat(16) }).apiToken, 'x'.repeat(16), '16 characters is enough');
  const spec = JSON.parse(readFileSync(new URL('../spec.json', import.meta.url), 'utf8')) as {
    connectionSpecification: { properties: { api_token: { minLength: number } } };
  };
  t.equal(spec.connectionSpecification.properties.api_token.minLength, MIN_TOKEN_LENGTH, 'spec.json says the same');
});

t.test('a plain ASCII token with punctuation is accepted', async (t) => {
  t.equal(parseConfig({ api_token: 'dop_v1_a-b.c~d+e/f=' }).apiToken, 'dop_v1_a-b.c~d+e/f=');
});

t.test('the config must be a JSON object with api_token', async (t) => {
  for (const raw of [null, [], 'text', 42, true]) t.match(rejection(raw).message, /JSON object/, JSON.stringify(raw));
  t.match(rejection({}).message, /missing the required field 'api_token'/);
  t.match(rejection({ api_url: 'https://api.digitalocean.com' }).message, /'api_token'/);
});

t.test('wrong types name the field and never show the token', async (t) => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ api_token: 12345678 }, 'api_token', /string/],
    [{ api_token: [TOKEN] }, 'api_token', /string/],
    [{ api_token: { value: TOKEN } }, 'api_token', /string/],
    [{ api_token: TOKEN, api_url: 5 }, 'api_url', /string/],
    [{ api_token: TOKEN, start_date: 20240101 }, 'start_date', /string/],
    [{ api_token: TOKEN, requests_per_minute: '240' }, 'requests_per_minute', /integer/],
    [{ api_token: TOKEN, requests_per_minute: 1.5 }, 'requests_per_minute', /integer/],
    [{ api_token: TOKEN, max_concurrency: true }, 'max_concurrency', /integer/],
  ];
  for (const [raw, field, why] of cases) {
    const error = rejection(raw);
    t.match(error.message, `'${field}'`, `${JSON.stringify(raw)} names ${field}`);
    t.match(error.message, why);
    t.notMatch(error.message, TOKEN);
    t.notMatch(error.message, '12345678');
  }
});

t.test('optional fields sent as null are taken as unset', async (t) => {
  const config = parseConfig({ api_token: TOKEN, max_concurrency: null, start_date: null, api_url: null, requests_per_minute: null });
  t.equal(config.maxConcurrency, 8, 'default concurrency');
  t.equal(config.requestsPerMinute, 240, 'default rate');
  t.equal(config.startDate, undefined, 'no start date');
  t.equal(config.apiOrigin, 'https://api.digitalocean.com', 'default API');
  t.match(rejection({ api_token: null }).message, /api_token/, 'a null token is still an error naming the field');
});

t.test('requests_per_minute and max_concurrency bounds', async (t) => {
  for (const value of [1, 250]) t.equal(parseConfig({ api_token: TOKEN, requests_per_minute: value }).requestsPerMinute, value);
  for (const value of [0, -1, 251, 10_000]) {
    const error = rejection({ api_token: TOKEN, requests_per_minute: value });
    t.match(error.message, /'requests_per_minute' must be [<>]=/, `${value}`);
  }
  for (const value of [1, 32]) t.equal(parseConfig({ api_token: TOKEN, max_concurrency: value }).maxConcurrency, value);
  for (const value of [0, 33]) {
    const error = rejection({ api_token: TOKEN, max_concurrency: value });
    t.match(error.message, /'max_concurrency' must be [<>]=/, `${value}`);
  }
});

t.test('start_date must be an RFC 3339 instant', async (t) => {
  for (const value of ['2024-01-01T00:00:00Z', '2024-02-29T23:59:59.123Z', '2024-01-01T00:00:00+02:00']) {
    t.equal(parseConfig({ api_token: TOKEN, start_date: value }).startDate, value);
  }
  for (const value of ['2024-01-01', '2024-13-01T00:00:00Z', '2024-01-01 00:00:00Z', 'yesterday', '']) {
    const error = rejection({ api_token: TOKEN, start_date: value });
    t.match(error.message, /'start_date'/, JSON.stringify(value));
    t.notMatch(error.message, TOKEN);
  }
});
