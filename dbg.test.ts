import { buildApp } from './src/app.ts';
import { testConfig } from './test/helpers/app.ts';
import { createTestDatabase } from './test/helpers/db.ts';
const database = await createTestDatabase();
const app = await buildApp({ config: testConfig({ LOG_LEVEL: 'silent' }), db: database.db });
await database.db.destroy();
const res = await app.inject({ method: 'GET', url: '/readyz' });
console.log(res.statusCode, res.body);
await app.close();
