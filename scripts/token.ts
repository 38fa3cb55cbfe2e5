/**
 * Mints a local bearer token with the configured secret.
 * Usage: npm run token -- --role ANALYST --dept ZA [--sub user-1] [--name 张三] [--expires 8h]
 *        npm run token -- --list-depts
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { mintToken, Role } from '../src/graphql/auth.js';
import { DEPARTMENTS } from '../src/modules/org/departments-data.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    dept: { type: 'string' },
    sub: { type: 'string' },
    name: { type: 'string' },
    expires: { type: 'string', default: '8h' },
    'list-depts': { type: 'boolean', default: false },
  },
});
if (values['list-depts']) {
  for (const d of DEPARTMENTS) console.log(`${d.code.padEnd(10)} ${d.kind.padEnd(8)} ${d.name}`);
  process.exit(0);
}
const role = values.role?.toUpperCase();
if (!role || !(role in Role) || role === Role.PUBLIC) {
  console.error(
    'usage: npm run token -- --role ADMIN|SUPERVISOR|INSPECTOR|ANALYST|EXCHANGE [--dept ZA] [--sub id] [--expires 8h]',
  );
  process.exit(2);
}
if (values.dept && !DEPARTMENTS.some((d) => d.code === values.dept)) {
  console.error(`unknown department ${values.dept}; see npm run token -- --list-depts`);
  process.exit(2);
}
const config = loadConfig();
const token = await mintToken(
  config.jwtSecret,
  {
    sub: values.sub ?? `local-${role.toLowerCase()}`,
    role: role as Role,
    dept: values.dept ?? null,
    name: values.name ?? null,
  },
  values.expires,
);
console.log(token);
