/**
 * A real n8n for this repository's main job (`npm start`) and its end-to-end tests: installs a
 * pinned n8n once into a cache outside the work tree, loads this package into it the way users
 * install community packages (the packed tarball in `<user folder>/.n8n/nodes`), and runs n8n's
 * own commands against a throwaway user folder bound to 127.0.0.1.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The repository: the nearest folder above this file whose package.json is this package's. */
export const ROOT = (() => {
	for (let folder = __dirname; folder !== path.dirname(folder); folder = path.dirname(folder)) {
		const manifest = path.join(folder, 'package.json');
		if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'n8n-nodes-bird') return folder;
	}
	throw new Error(`n8n-nodes-bird's package.json not found above ${__dirname}`);
})();

/**
 * The n8n this repository runs. 2.8.4 is the newest release whose engines include the
 * machine's Node 20 (see ../shared/n8n-local.md); N8N_VERSION picks another.
 */
export const N8N_VERSION = process.env.N8N_VERSION ?? '2.8.4';

const CACHE = process.env.N8N_BIRD_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'n8n-nodes-bird');

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; quiet?: boolean }) {
	const result = spawnSync(command, args, {
		cwd: options.cwd,
		env: { ...process.env, ...options.env },
		stdio: options.quiet ? 'pipe' : 'inherit',
		encoding: 'utf8',
	});
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr ?? ''}${result.stdout ?? ''}`.slice(0, 4000));
	}
	return result.stdout ?? '';
}

/** Installs n8n once per version into the cache; returns the path of its CLI. */
export function ensureN8n(log: (line: string) => void = console.log): string {
	const folder = path.join(CACHE, `n8n-${N8N_VERSION}`);
	const cli = path.join(folder, 'node_modules', 'n8n', 'bin', 'n8n');
	if (existsSync(path.join(folder, '.installed'))) return cli;
	log(`Installing n8n ${N8N_VERSION} into ${folder} (once; about 4 minutes and 2.3 GB)...`);
	mkdirSync(folder, { recursive: true });
	writeFileSync(
		path.join(folder, 'package.json'),
		JSON.stringify({ name: 'n8n-host', private: true, dependencies: { n8n: N8N_VERSION }, overrides: { xlsx: '0.18.5' } }, null, 2),
	);
	run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: folder });
	writeFileSync(path.join(folder, '.installed'), new Date().toISOString());
	return cli;
}

/** Builds and packs this package; returns the tarball's path. */
export function packPackage(): string {
	run('npm', ['run', 'build', '--silent'], { cwd: ROOT, quiet: true });
	const out = path.join(ROOT, '.cache', 'pack');
	rmSync(out, { recursive: true, force: true });
	mkdirSync(out, { recursive: true });
	run('npm', ['pack', '--silent', '--pack-destination', out], { cwd: ROOT, quiet: true });
	const tarball = readdirSync(out).find((name) => name.endsWith('.tgz'));
	if (!tarball) throw new Error('npm pack produced no tarball');
	return path.join(out, tarball);
}

/** Installs the tarball into the user folder's community-nodes folder, as n8n's installer would. */
export function installPackage(userFolder: string, tarball: string): void {
	const nodes = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodes, { recursive: true });
	if (!existsSync(path.join(nodes, 'package.json'))) {
		writeFileSync(path.join(nodes, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	}
	// --omit=peer: n8n provides n8n-workflow; without it npm would fetch the newest one.
	run('npm', ['install', '--omit=peer', '--ignore-scripts', '--package-lock=false', '--no-audit', '--no-fund', tarball], {
		cwd: nodes,
		quiet: true,
	});
}

export interface N8nInstance {
	cli: string;
	userFolder: string;
	env: NodeJS.ProcessEnv;
}

/** Settings for every n8n command: local only, nothing phoned home. */
export function n8nInstance(cli: string, userFolder: string, extra: NodeJS.ProcessEnv = {}): N8nInstance {
	return {
		cli,
		userFolder,
		env: {
			// n8n silences its logger (and so --rawOutput) when NODE_ENV is "test", as under Jest.
			NODE_ENV: 'production',
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: 'n8n-nodes-bird-local-only',
			DB_TYPE: 'sqlite',
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false',
			SCARF_ANALYTICS: 'false',
			DO_NOT_TRACK: '1',
			N8N_SECURE_COOKIE: 'false',
			...extra,
		},
	};
}

/**
 * Runs an n8n command. Asynchronous on purpose: the caller may serve the Bird sandbox from the
 * same process, which a blocking spawn would stall.
 */
export async function n8nCommand(
	instance: N8nInstance,
	args: string[],
	extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
	const child = spawn(process.execPath, [instance.cli, ...args], {
		env: { ...process.env, ...instance.env, ...extraEnv },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
	const status = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
	return { status, stdout, stderr };
}

/** Imports credentials and workflows (JSON arrays/objects written to temporary files). */
export async function importInto(instance: N8nInstance, kind: 'credentials' | 'workflow', data: unknown): Promise<void> {
	const file = path.join(instance.userFolder, `import-${kind}-${Date.now()}.json`);
	writeFileSync(file, JSON.stringify(data));
	const result = await n8nCommand(instance, [`import:${kind}`, `--input=${file}`]);
	rmSync(file, { force: true });
	if (result.status !== 0) throw new Error(`n8n import:${kind} failed:\n${result.stdout}\n${result.stderr}`);
}

export interface ExecutionResult {
	status: number;
	/** The run data n8n printed (`n8n execute --rawOutput`), when it printed any. */
	run?: {
		data: { resultData: { runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message: string } }>>; error?: { message: string } } };
		status: string;
	};
	output: string;
}

/** Runs an imported workflow headless and returns n8n's run data. */
export async function executeWorkflow(instance: N8nInstance, id: string): Promise<ExecutionResult> {
	const result = await n8nCommand(instance, ['execute', `--id=${id}`, '--rawOutput'], { N8N_LOG_LEVEL: 'info', N8N_LOG_FORMAT: 'json' });
	const output = `${result.stdout}\n${result.stderr}`;
	for (const line of output.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const entry = JSON.parse(line) as { message?: string };
			if (entry.message?.trimStart().startsWith('{')) {
				const run = JSON.parse(entry.message) as ExecutionResult['run'];
				if (run && 'data' in run) return { status: result.status, run, output };
			}
		} catch {
			// not a log line of interest
		}
	}
	return { status: result.status, output };
}

/** Starts `n8n start` in the background. */
export function startN8n(instance: N8nInstance, port: number): ChildProcess {
	return spawn(process.execPath, [instance.cli, 'start'], {
		env: { ...process.env, ...instance.env, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(port + 1) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

export async function waitForReady(url: string, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		try {
			const response = await fetch(`${url}/healthz/readiness`);
			if (response.ok) return;
		} catch {
			// not up yet
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error(`n8n did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

export function gitIgnoredCache(...parts: string[]): string {
	const folder = path.join(ROOT, '.cache', ...parts);
	mkdirSync(folder, { recursive: true });
	return folder;
}

