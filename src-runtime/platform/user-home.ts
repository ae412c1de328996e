/** The user's home for user-level settings and skills (WR_USER_HOME overrides it, for tests and sandboxes). */
import { homedir } from 'node:os';

export function userHome(): string {
  return process.env.WR_USER_HOME || homedir();
}
