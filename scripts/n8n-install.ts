/**
 * Installing a real n8n into a cache folder, so that it works whatever the caller's npm setup is,
 * and proving it before trusting it.
 *
 * - The nested `npm install` gets none of the caller's `npm_*` environment (under `npm start`,
 *   npm hands every setting of the project's .npmrc to the script, `ignore-scripts=true` among
 *   them), and the settings that decide what gets installed are given on its command line, where
 *   they beat any .npmrc. Settings that decide how the network is reached (registry, proxy,
 *   certificates, where Node's headers are) stay the user's own.
 * - The `.installed` marker is written only after the installed n8n has proved it runs: its CLI
 *   prints its version, and its native modules (sqlite3, which n8n's default database needs;
 *   isolated-vm, its expression engine from 2.x) load and work.
 * - Every start checks the marker's install the same way. A broken install is repaired (native
 *   modules rebuilt, or a fresh install), an unfinished one is started over, each with a line
 *   saying so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a first install costs, measured here (2 cores, n8n 2.41.1 with Node 24 from the registry); the README quotes this line. */
export const FIRST_INSTALL_COST = 'about 6 minutes and 3.1 GB';

/** Modules n8n cannot run without that have a native part built at install time. */
export const NATIVE_MODULES = ['sqlite3', 'isolated-vm'] as const;

/**
 * Settings that decide what npm installs, forced on the command line (it beats every .npmrc and
 * environment variable): install scripts run (native modules are built), optional and peer
 * dependencies come too, nothing is linked globally or skipped.
 */
export const INSTALL_FLAGS = [
	'--ignore-scripts=false',
	'--include=prod',
	'--include=optional',
	'--include=peer',
	'--legacy-peer-deps=false',
	'--strict-peer-deps=false',
	'--global=false',
	'--dry-run=false',
	'--bin-links=true',
	'--install-links=false',
	'--engine-strict=false',
	'--audit=false',
	'--fund=false',
	'--loglevel=error',
];

/**
 * The caller's environment without what npm passes to the scripts it runs: `npm_config_*` (every
 * setting, the project's .npmrc included), `npm_package_*`, `npm_lifecycle_*` and the rest of
 * npm's `npm_*` variables, matched case-insensitively as npm reads them.
 */
export function cleanNpmEnvironment(env: NodeJS.ProcessEnv = process.env, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const clean: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(env)) {
		if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE') continue;
		clean[key] = value;
	}
	return { ...clean, ...extra };
}

export interface InstallPlan {
	/** The folder n8n is installed into (its own package.json, node_modules and marker). */
	folder: string;
	version: string;
	/** The Node that runs n8n (and npm during its install). */
	node: string;
	/** Where that Node's C headers are, when it is not the machine's Node (node-gyp cannot download them here). */
	nodeHeaders?: string;
	/** What the host package depends on; default n8n at `version` (the tests install stand-ins from local tarballs). */
	dependencies?: Record<string, string>;
}

export interface CommandResult {
	status: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a program; tests swap this for their own. */
export type Runner = (command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) => CommandResult;

export const spawnRunner: Runner = (command, args, options) => {
	const result = spawnSync(command, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	return { status: result.status, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
};

export const markerFile = (folder: string) => path.join(folder, '.installed');
export const cliOf = (folder: string) => path.join(folder, 'node_modules', 'n8n', 'bin', 'n8n');

/** The environment npm and node-gyp run in: clean, with the plan's Node first on PATH and its headers. */
function npmEnvironment(plan: InstallPlan): NodeJS.ProcessEnv {
	return cleanNpmEnvironment(process.env, {
		PATH: `${path.dirname(plan.node)}${path.delimiter}${process.env.PATH ?? ''}`,
		// The Kafka client would otherwise download its C sources during the install.
		CKJS_LINKING: 'dynamic',
	});
}

/** `--nodedir` for a Node that is not the machine's: the headers node-gyp builds against. */
const nodedirFlags = (plan: InstallPlan) => (plan.nodeHeaders ? [`--nodedir=${plan.nodeHeaders}`] : []);

/**
 * A script, run by the plan's Node from n8n's own folder, that loads each native module n8n
 * depends on and makes it do one thing. Prints a JSON list of problems.
 */
const NATIVE_CHECK = `
const path = require('node:path');
const n8nDir = path.dirname(require.resolve('n8n/package.json', { paths: [process.cwd()] }));
const problems = [];
const find = (name) => {
  for (const from of [n8nDir, process.cwd()]) {
    try { return require.resolve(name, { paths: [from] }); } catch {}
  }
  // isolated-vm sits under n8n's expression runtime in 2.x.
  try {
    const runtime = path.dirname(require.resolve('@n8n/expression-runtime/package.json', { paths: [n8nDir] }));
    return require.resolve(name, { paths: [runtime] });
  } catch {}
  return undefined;
};
const checks = {
  sqlite3: (m) => new Promise((resolve, reject) => {
    const db = new m.Database(':memory:');
    db.get('select 1 as one', (error, row) => { db.close(); error ? reject(error) : row.one === 1 ? resolve() : reject(new Error('select 1 gave ' + JSON.stringify(row))); });
  }),
  'isolated-vm': (m) => { const isolate = new m.Isolate({ memoryLimit: 8 }); const n = isolate.compileScriptSync('1 + 1').runSync(isolate.createContextSync()); isolate.dispose(); if (n !== 2) throw new Error('1 + 1 gave ' + n); },
};
const required = JSON.parse(process.argv[1]);
(async () => {
  for (const name of Object.keys(checks)) {
    const file = find(name);
    if (!file) { if (required.includes(name)) problems.push(name + ' is not installed'); continue; }
    try { await checks[name](require(file)); } catch (error) { problems.push(name + "'s native module does not load (" + String(error && error.message || error).split('\\n')[0].slice(0, 200) + ')'); }
  }
  console.log(JSON.stringify(problems));
})();
`;

/**
 * Whether the install in `plan.folder` runs: n8n's CLI prints its version, and its native
 * modules load. Returns what is wrong, or undefined.
 */
export function verifyInstall(plan: InstallPlan, runner: Runner = spawnRunner): string | undefined {
	const cli = cliOf(plan.folder);
	if (!existsSync(cli)) return `n8n's command-line program is missing (${cli})`;
	const env = cleanNpmEnvironment(process.env, { N8N_USER_FOLDER: path.join(plan.folder, '.verify-home') });
	const version = runner(plan.node, [cli, '--version'], { cwd: plan.folder, env });
	const printed = version.stdout.trim().split('\n').pop() ?? '';
	if (version.status !== 0 || !printed.includes(plan.version)) {
		return `\`n8n --version\` failed (exit ${version.status}): ${`${version.stderr}${version.stdout}`.trim().split('\n').slice(-2).join(' ').slice(0, 300)}`;
	}
	// sqlite3 is needed by every n8n; isolated-vm only where n8n has it.
	const native = runner(plan.node, ['-e', NATIVE_CHECK, JSON.stringify(['sqlite3'])], { cwd: plan.folder, env });
	let problems: string[];
	try {
		problems = JSON.parse(native.stdout.trim().split('\n').pop() ?? '') as string[];
	} catch {
		return `the check of its native modules failed (exit ${native.status}): ${native.stderr.trim().slice(0, 300)}`;
	}
	return problems.length ? problems.join('; ') : undefined;
}

function writeHostPackage(plan: InstallPlan): void {
	writeFileSync(
		path.join(plan.folder, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-host',
				private: true,
				dependencies: plan.dependencies ?? { n8n: plan.version },
				// xlsx: n8n points at a tarball outside the registry; linkedom: newer ones need a package the registry lacks.
				overrides: { xlsx: '0.18.5', linkedom: '0.18.14' },
			},
			null,
			2,
		),
	);
}

function failed(what: string, result: CommandResult): Error {
	return new Error(`${what} failed (${result.status}):\n${`${result.stderr}${result.stdout}`.slice(-4000)}`);
}

/** A fresh install into an emptied folder; the marker is written only once the install has proved it runs. */
export function freshInstall(plan: InstallPlan, runner: Runner = spawnRunner): void {
	rmSync(plan.folder, { recursive: true, force: true });
	mkdirSync(plan.folder, { recursive: true });
	writeHostPackage(plan);
	const result = runner('npm', ['install', ...INSTALL_FLAGS, ...nodedirFlags(plan)], { cwd: plan.folder, env: npmEnvironment(plan) });
	if (result.status !== 0) throw failed(`npm install n8n@${plan.version}`, result);
	const problem = verifyInstall(plan, runner);
	if (problem) throw new Error(`n8n ${plan.version} installed, but it does not run: ${problem}. Nothing was marked as installed; the next start tries again.`);
	writeFileSync(markerFile(plan.folder), JSON.stringify({ version: plan.version, node: plan.node, verifiedAt: new Date().toISOString() }));
}

/** Rebuilds the native modules of an install in place (npm rebuild), then checks it again. */
function rebuildNative(plan: InstallPlan, runner: Runner): string | undefined {
	const result = runner('npm', ['rebuild', ...NATIVE_MODULES, ...INSTALL_FLAGS, ...nodedirFlags(plan)], { cwd: plan.folder, env: npmEnvironment(plan) });
	if (result.status !== 0) return `npm rebuild failed (${result.status})`;
	return verifyInstall(plan, runner);
}

/**
 * Makes sure `plan.folder` holds a working n8n: checks an existing install (marker present),
 * repairs a broken one, starts an unfinished one over, and installs when there is none.
 */
export function ensureInstall(plan: InstallPlan, log: (line: string) => void, runner: Runner = spawnRunner): void {
	const marker = markerFile(plan.folder);
	if (existsSync(marker)) {
		const problem = verifyInstall(plan, runner);
		if (!problem) return;
		log(`The cached n8n ${plan.version} in ${plan.folder} does not run: ${problem}. Repairing it: rebuilding its native modules...`);
		rmSync(marker, { force: true });
		const left = rebuildNative(plan, runner);
		if (!left) {
			writeFileSync(marker, JSON.stringify({ version: plan.version, node: plan.node, verifiedAt: new Date().toISOString(), repaired: true }));
			log(`Repaired n8n ${plan.version}.`);
			return;
		}
		log(`Rebuilding did not help (${left}); installing n8n ${plan.version} again (${FIRST_INSTALL_COST})...`);
	} else if (existsSync(plan.folder)) {
		log(`Found an unfinished install of n8n ${plan.version} in ${plan.folder} (interrupted, or it failed its check); starting it over (${FIRST_INSTALL_COST})...`);
	} else {
		log(`Installing n8n ${plan.version} into ${plan.folder} (once; ${FIRST_INSTALL_COST})...`);
	}
	freshInstall(plan, runner);
}

/** The Node recorded in a marker (older markers hold just its path); undefined when none. */
export function recordedNode(folder: string): string | undefined {
	const marker = markerFile(folder);
	if (!existsSync(marker)) return undefined;
	const text = readFileSync(marker, 'utf8').trim();
	try {
		return (JSON.parse(text) as { node?: string }).node;
	} catch {
		return text.startsWith('/') ? text : undefined;
	}
}
