/**
 * A real n8n in server mode (`n8n start`) with the packed package installed as users install
 * it, its owner logged in, and its webhooks reachable at http://127.0.0.1:<port>/ (which is
 * also the WEBHOOK_URL it gives triggers). `prepare` runs n8n's CLI on the fresh user folder
 * before the server starts: imports, publishing workflows.
 */
import { parse } from 'flatted';
import type { IDataObject } from 'n8n-workflow';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { N8nInstance } from '../../scripts/n8n';
import { ensureN8n, ensureOwner, freePortPair, installPackage, n8nInstance, packPackage, startN8n, waitForReady } from '../../scripts/n8n';

export const OWNER = { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'BirdSandbox1' };

export interface RunningN8n {
	url: string;
	instance: N8nInstance;
	/** Everything n8n printed, line by line. */
	log: string[];
	/** A call to n8n's REST API as the logged-in owner. */
	rest(route: string, init?: RequestInit): Promise<Response>;
	/** A GET of any path of n8n (such as /types/nodes.json) as the logged-in owner. */
	get(pathname: string): Promise<Response>;
	/** The n8n process's peak resident memory so far, in MB (Linux: VmHWM). */
	peakRssMb(): number | undefined;
	/** Stops n8n (as an upgrade or a crash would), runs `whileDown`, and starts it again on the same user folder and port. */
	restart(whileDown?: () => Promise<void>): Promise<void>;
	stop(): Promise<void>;
}


export async function startN8nServer(
	opts: { prepare?: (instance: N8nInstance) => Promise<void>; env?: NodeJS.ProcessEnv; tarball?: string } = {},
): Promise<RunningN8n> {
	const runtime = ensureN8n();
	const userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-bird-server-'));
	installPackage(userFolder, opts.tarball ?? packPackage());
	const port = await freePortPair();
	const url = `http://127.0.0.1:${port}`;
	const instance = n8nInstance(runtime, userFolder, { N8N_WEBHOOK_URL: `${url}/`, WEBHOOK_URL: `${url}/`, ...opts.env });
	await opts.prepare?.(instance);

	const log: string[] = [];
	const collect = (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
	const spawnServer = () => {
		const started = startN8n(instance, port);
		started.stdout?.on('data', collect);
		started.stderr?.on('data', collect);
		return started;
	};
	let child: ChildProcess = spawnServer();
	const halt = async () => {
		if (child.exitCode === null) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
			child.kill('SIGKILL');
		}
		child.stdout?.destroy();
		child.stderr?.destroy();
	};
	const stop = async () => {
		await halt();
		rmSync(userFolder, { recursive: true, force: true });
	};
	const restart = async (whileDown?: () => Promise<void>) => {
		await halt();
		await whileDown?.();
		child = spawnServer();
		await waitForReady(url);
		// n8n 1.x reports ready and takes webhooks before its REST API is up: until then /rest/*
		// answers an HTML page ("n8n is starting up"). Wait until the owner's session answers JSON.
		await eventually('n8n\'s REST API after the restart', async () => {
			const response = await rest('/login').catch(() => undefined);
			const json = response?.ok && (response.headers.get('content-type') ?? '').includes('json');
			await response?.body?.cancel();
			return json ? true : undefined;
		}, 120_000);
	};
	try {
		await waitForReady(url);
		if (!(await ensureOwner(url, OWNER))) throw new Error('could not create the owner account');
	} catch (error) {
		await stop();
		throw new Error(`${(error as Error).message}\n${log.slice(-40).join('\n')}`);
	}
	const login = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', connection: 'close' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	const rest = async (route: string, init: RequestInit = {}) =>
		await fetch(`${url}/rest${route}`, {
			...init,
			headers: { 'content-type': 'application/json', connection: 'close', cookie, ...(init.headers as Record<string, string> | undefined) },
		});
	const peakRssMb = () => {
		try {
			const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
			return kb ? Math.round(Number(kb) / 1024) : undefined;
		} catch {
			return undefined;
		}
	};
	const get = async (pathname: string) => await fetch(`${url}${pathname}`, { headers: { connection: 'close', cookie } });
	return { url, instance, log, rest, get, restart, stop, peakRssMb };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export interface Execution {
	id: string;
	status: string;
	workflowId: string;
}

/** A workflow's executions, newest first, through n8n's REST API. */
export async function executionsOf(n8n: RunningN8n, workflowId: string): Promise<Execution[]> {
	const all: Execution[] = [];
	// n8n lists at most 100 at a time (20 by default); 2.4x pages with `nextCursor`, older ones by `lastId`.
	let next = '';
	for (;;) {
		const response = await n8n.rest(`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100${next}`);
		const body = (await response.json()) as { data?: { results: Execution[]; nextCursor?: string }; message?: string };
		if (!body.data) throw new Error(`n8n's execution list answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
		all.push(...body.data.results);
		if (body.data.results.length < 100) return all;
		next = body.data.nextCursor ? `&cursor=${encodeURIComponent(body.data.nextCursor)}` : `&lastId=${all[all.length - 1].id}`;
	}
}

/** The items each node of an execution output (its last run), by node name and output index. */
export async function runDataOf(n8n: RunningN8n, id: string): Promise<Record<string, IDataObject[][]>> {
	const response = await n8n.rest(`/executions/${id}`);
	const body = (await response.json()) as { data: { data: string } };
	const data = parse(body.data.data) as { resultData: { runData: Record<string, Array<{ data?: { main: Array<Array<{ json: IDataObject }> | null> } }>> } };
	return Object.fromEntries(
		Object.entries(data.resultData.runData).map(([node, runs]) => [node, (runs.at(-1)?.data?.main ?? []).map((items) => (items ?? []).map((item) => item.json))]),
	);
}
