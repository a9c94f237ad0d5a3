/**
 * Setup of the `unit` project: unit tests start nothing. A test that opens a listening socket, connects
 * over TCP (PostgreSQL, Azurite, the emulator) or starts a child process fails at that call with a
 * message that says where it belongs: a file named `*.integration.test.ts`. Temp-dir SQLite and DuckDB
 * files are fine; they are in-process.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const refuse = (what: string) => (): never => {
  throw new Error(
    `unit tests start nothing, and this one ${what}: name its file *.integration.test.ts (docs/development.md)`,
  );
};

net.Server.prototype.listen = refuse('opened a listening socket');
net.Socket.prototype.connect = refuse('opened a network connection');
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  Object.assign(childProcess, { [name]: refuse(`started a child process (${name})`) });
}
syncBuiltinESMExports();
