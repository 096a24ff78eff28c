/**
 * What n8n's queue mode needs besides n8n, on 127.0.0.1: a real Redis (the job queue) and a real
 * PostgreSQL (executions shared by the main process and its workers), from Debian's packages,
 * installed when missing (as root; otherwise the error says what to install). Their data lives in
 * the git-ignored .cache/queue, fresh for every run, and both stop when the run ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { freePort, gitIgnoredCache } from './n8n';

export interface QueueServices {
	redis: { port: number };
	/** `data`: the cluster's folder (its server.log among it). */
	postgres: { port: number; database: string; user: string; data: string };
	/** Runs one SQL statement in n8n's database; the rows, one per line, columns split by |. */
	sql(statement: string): string[][];
	/** n8n's settings for a process of this queue (main or worker). */
	env: NodeJS.ProcessEnv;
	stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** Installs a Debian package when its program is missing; only root can. */
function ensureDebianPackage(pkg: string, present: () => boolean): void {
	if (present()) return;
	if (!isRoot()) throw new Error(`Queue mode needs Debian's ${pkg} package: sudo apt-get install -y ${pkg}`);
	console.log(`Installing Debian's ${pkg} package`);
	for (const args of [['update', '-qq'], ['install', '-y', '-qq', pkg]]) {
		const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
		if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${result.status})`);
	}
	if (!present()) throw new Error(`${pkg} installed, but its programs are not where expected`);
}

function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const newest = readdirSync(root)
		.filter((version) => existsSync(path.join(root, version, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a))[0];
	return newest ? path.join(root, newest, 'bin') : undefined;
}

const redisServer = () => ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((file) => existsSync(file));

/** PostgreSQL refuses to run as root: as root, its programs run as Debian's `postgres` user. */
function asPostgres(command: string, args: string[]): { command: string; args: string[] } {
	return isRoot() ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args };
}

function runOrThrow(command: string, args: string[]): string {
	const call = asPostgres(command, args);
	const result = spawnSync(call.command, call.args, { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`);
	return result.stdout;
}

async function waitFor(what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await ready())) {
		if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

export async function startQueueServices(): Promise<QueueServices> {
	ensureDebianPackage('redis-server', () => redisServer() !== undefined);
	ensureDebianPackage('postgresql', () => postgresBin() !== undefined);
	const folder = gitIgnoredCache('queue');
	const stops: Array<() => Promise<void> | void> = [];
	const stop = async () => {
		for (const step of stops.reverse()) await step();
	};
	try {
		// Redis: no persistence, its files in the cache folder.
		const redisPort = await freePort();
		const redisDir = path.join(folder, 'redis');
		rmSync(redisDir, { recursive: true, force: true });
		mkdirSync(redisDir, { recursive: true });
		const redis: ChildProcess = spawn(redisServer() as string, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], {
			stdio: 'ignore',
		});
		stops.push(async () => {
			if (redis.exitCode !== null) return;
			const exited = new Promise((resolve) => redis.once('exit', resolve));
			redis.kill('SIGTERM');
			await exited;
		});
		await waitFor('Redis', () => spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG');

		// PostgreSQL: a fresh cluster with trust auth on 127.0.0.1 only, its socket in its own folder.
		const bin = postgresBin() as string;
		const pgPort = await freePort();
		const data = path.join(folder, 'postgres');
		rmSync(data, { recursive: true, force: true });
		mkdirSync(data, { recursive: true, mode: 0o700 });
		if (isRoot()) {
			const { uid, gid } = postgresUser();
			chownSync(data, uid, gid);
		}
		const user = 'n8n';
		runOrThrow(path.join(bin, 'initdb'), ['-D', data, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-sync']);
		runOrThrow(path.join(bin, 'pg_ctl'), [
			'-D', data, '-w', '-t', '60', '-l', path.join(data, 'server.log'),
			'-o', `-p ${pgPort} -c listen_addresses=127.0.0.1 -k ${data} -c fsync=off -c max_connections=100`,
			'start',
		]);
		stops.push(() => {
			const call = asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
			spawnSync(call.command, call.args);
		});
		const database = 'n8n';
		runOrThrow(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', user, database]);

		return {
			redis: { port: redisPort },
			postgres: { port: pgPort, database, user, data },
			env: {
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redisPort),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(pgPort),
				DB_POSTGRESDB_DATABASE: database,
				DB_POSTGRESDB_USER: user,
				DB_POSTGRESDB_PASSWORD: '',
			},
			sql: (statement) => {
				const result = spawnSync(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', user, '-d', database, '-At', '-c', statement], { encoding: 'utf8' });
				if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
				return result.stdout.split('\n').filter(Boolean).map((line) => line.split('|'));
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

function postgresUser(): { uid: number; gid: number } {
	const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
	const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
	if (result.status !== 0) throw new Error("Debian's postgres user is missing: reinstall the postgresql package");
	return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}
