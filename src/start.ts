/** The built service's entry point (dist/main.js; scripts/build.ts): start, as main.ts does from source. */
import { runMain } from './main.ts';

runMain();
