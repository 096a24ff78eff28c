/**
 * A real n8n in server mode (`n8n start`) with the packed package installed as users install
 * it, its owner logged in, and its webhooks reachable at http://127.0.0.1:<port>/ (which is
 * also the WEBHOOK_URL it gives triggers). `prepare` runs n8n's CLI on the fresh user folder
 * before the server starts: imports, publishing workflows.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { N8nInstance } from '../../scripts/n8n';
import { ensureN8n, ensureOwner, freePort, installPackage, n8nInstance, packPackage, startN8n, waitForReady } from '../../scripts/n8n';

export const OWNER = { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'BirdSandbox1' };

export interface RunningN8n {
	url: string;
	instance: N8nInstance;
	/** Everything n8n printed, line by line. */
	log: string[];
	/** A call to n8n's REST API as the logged-in owner. */
	rest(route: string, init?: RequestInit): Promise<Response>;
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
	const port = await freePort();
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
	return { url, instance, log, rest, restart, stop };
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
