/** VPCs, domains and their records, firewalls, load balancers. */
import { intKey, nameKey, uuidKey } from '../keys.js';
import { defaultVpcKey, firewallDroplets, firewallTags, projectKeyOf, someDroplets } from '../links.js';
import { REGIONS, iso, publicIpv4, randomTime, regionObject } from '../reference.js';
import type { Json, JsonObject, KindSpec, KindTable } from '../types.js';

const DOMAIN_WORDS = ['blue', 'quiet', 'rapid', 'lunar', 'coral', 'amber', 'north', 'bright', 'silver', 'urban'];
const DOMAIN_NOUNS = ['otter', 'harbor', 'forge', 'pixel', 'summit', 'lab', 'garden', 'signal', 'cloud', 'works'];

/** `coral-harbor-17.com`: the index is the last number in the name (see nameKey). */
const domainName = nameKey((i, rng) => `${rng.pick(DOMAIN_WORDS)}-${rng.pick(DOMAIN_NOUNS)}-${i}.${rng.pick(['com', 'net', 'io', 'dev'])}`);

const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'CAA', 'SRV'] as const;

const domainRecords: KindSpec = {
  /** The first domain is large enough to need several pages even at the default per_page. */
  count: ({ parent, rng, scale }) => (parent?.index === 0 ? Math.min(2000, Math.max(25, scale)) : 4 + rng.int(0, 12)),
  keys: { id: intKey(28_000_000, true) },
  make: ({ index, rng, parent }) => {
    const domain = String(parent?.record.name);
    const base: JsonObject = { id: 0, type: 'A', name: '@', data: '', priority: null, port: null, ttl: 1800, weight: null, flags: null, tag: null };
    if (index === 0) return { ...base, type: 'SOA', data: '1800' };
    if (index <= 3) return { ...base, type: 'NS', data: `ns${index}.digitalocean.com` };
    const type = RECORD_TYPES[(index - 4) % RECORD_TYPES.length];
    const host = index < 11 ? rng.pick(['www', 'api', 'mail', 'app', '@']) : `host-${index}`;
    switch (type) {
      case 'A': return { ...base, name: host, data: publicIpv4(rng), ttl: rng.pick([300, 1800, 3600]) };
      case 'AAAA': return { ...base, type, name: host, data: `2604:a880:400:d0::${rng.hex(4)}:${rng.hex(4)}` };
      case 'CNAME': return { ...base, type, name: host === '@' ? 'www' : host, data: `${domain}.` };
      case 'MX': return { ...base, type, data: `mx${rng.int(1, 2)}.${domain}.`, priority: rng.pick([10, 20]) };
      case 'TXT': return { ...base, type, data: `v=spf1 include:_spf.${domain} ~all` };
      case 'CAA': return { ...base, type, data: 'letsencrypt.org', flags: 0, tag: 'issue' };
      case 'SRV': return { ...base, type, name: '_sip._tcp', data: `sip.${domain}.`, priority: 10, port: 5060, weight: 100 };
    }
  },
};

export const networkingKinds: KindTable = {
  /** The first REGIONS.length VPCs are the regions' default VPCs (droplets and clusters point at them). */
  vpcs: {
    count: ({ scale }) => REGIONS.length + Math.ceil(scale / 200),
    keys: { id: uuidKey },
    make: ({ index, f, rng, key }) => {
      const region = REGIONS[index % REGIONS.length].slug;
      const isDefault = index < REGIONS.length;
      return {
        id: String(key('id')),
        urn: `do:vpc:${String(key('id'))}`,
        name: isDefault ? `default-${region}` : `${f.word.noun().toLowerCase()}-vpc-${index}`,
        description: isDefault ? '' : f.company.catchPhrase(),
        region,
        ip_range: `10.${isDefault ? 100 + index : 16 + (index % 200)}.0.0/20`,
        default: isDefault,
        created_at: iso(randomTime(rng)),
      };
    },
  },

  domains: {
    count: ({ scale }) => Math.max(1, Math.ceil(scale / 20)),
    keys: { name: domainName },
    make: ({ key }) => {
      const name = String(key('name'));
      return {
        name,
        ttl: 1800,
        zone_file: `$ORIGIN ${name}.\n$TTL 1800\n${name}. IN SOA ns1.digitalocean.com. hostmaster.${name}. 1700000000 10800 3600 604800 1800\n${name}. 1800 IN NS ns1.digitalocean.com.\n${name}. 1800 IN NS ns2.digitalocean.com.\n${name}. 1800 IN NS ns3.digitalocean.com.\n`,
      };
    },
  },

  domain_records: domainRecords,

  firewalls: {
    count: ({ scale }) => Math.max(1, Math.ceil(scale / 50)),
    keys: { id: uuidKey },
    make: ({ index, f, rng, account, key }) => {
      const lbs = account.count('load_balancers');
      const sources: JsonObject = lbs > 0 ? { load_balancer_uids: [String(account.key('load_balancers', index % lbs))] } : { addresses: ['0.0.0.0/0'] };
      const inbound: Json[] = [
        { protocol: 'tcp', ports: '22', sources: { addresses: [`${publicIpv4(rng)}/32`], tags: ['bastion'] } },
        { protocol: 'tcp', ports: '80', sources },
      ];
      if (rng.chance(0.3)) inbound.push({ protocol: 'tcp', ports: 'all', sources: { addresses: ['0.0.0.0/0', '::/0'] } });
      return {
        id: String(key('id')),
        name: `${f.word.noun().toLowerCase().replace(/[^a-z]/g, '')}-fw-${index}`,
        status: 'succeeded',
        inbound_rules: inbound,
        outbound_rules: [
          { protocol: 'tcp', ports: '0', destinations: { addresses: ['0.0.0.0/0', '::/0'] } },
          { protocol: 'udp', ports: '53', destinations: { addresses: ['0.0.0.0/0', '::/0'] } },
        ],
        created_at: iso(randomTime(rng)),
        // Which Droplets a firewall covers is shared with droplet_firewalls (links.ts).
        droplet_ids: firewallDroplets(account, index),
        tags: firewallTags(account, index),
        pending_changes: [],
      };
    },
  },

  load_balancers: {
    count: ({ scale }) => Math.max(1, Math.ceil(scale / 100)),
    keys: { id: uuidKey },
    make: ({ index, rng, account, key }) => {
      const region = rng.pick(REGIONS).slug;
      const created = randomTime(rng);
      return {
        id: String(key('id')),
        name: `lb-${region}-${index}`,
        project_id: String(projectKeyOf(account, index)),
        ip: publicIpv4(rng),
        ipv6: '',
        size_unit: rng.int(1, 3),
        size: 'lb-small',
        algorithm: 'round_robin',
        status: 'active',
        created_at: iso(created),
        forwarding_rules: [
          { entry_protocol: 'https', entry_port: 443, target_protocol: 'http', target_port: 80, certificate_id: rng.uuid(), tls_passthrough: false },
          { entry_protocol: 'http', entry_port: 80, target_protocol: 'http', target_port: 80, certificate_id: '', tls_passthrough: false },
        ],
        health_check: { protocol: 'http', port: 80, path: '/healthz', check_interval_seconds: 10, response_timeout_seconds: 5, healthy_threshold: 3, unhealthy_threshold: 5 },
        sticky_sessions: { type: 'none' },
        redirect_http_to_https: rng.chance(0.7),
        enable_proxy_protocol: false,
        enable_backend_keepalive: false,
        http_idle_timeout_seconds: 60,
        vpc_uuid: String(defaultVpcKey(account, Math.max(0, REGIONS.findIndex((r) => r.slug === region)))),
        disable_lets_encrypt_dns_records: false,
        firewall: { deny: [], allow: [] },
        network: 'EXTERNAL',
        network_stack: 'IPV4',
        type: 'REGIONAL',
        region: regionObject(region),
        droplet_ids: someDroplets(account, index * 2, account.count('load_balancers') * 2, 4),
        tag: '',
        tls_cipher_policy: 'DEFAULT',
      };
    },
  },
};
