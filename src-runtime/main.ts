/**
 * The runtime entry, the same file standalone (`workspace-runtime serve`) and as the Electron
 * utility process (forked by src-main with `serve --port 0 --data-dir …`).
 */
import { runCli } from './cli.js';

await runCli(process.argv.slice(2));
