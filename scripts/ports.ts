/**
 * The ports `npm start` needs, checked before anything slow happens: a port another program holds
 * (very often the user's own n8n on 5678) is named, with what holds it when that can be told and
 * the variables that choose other ports.
 */
import { createServer } from 'node:net';

export interface PortNeed {
	port: number;
	/** What the port is for, in words ("n8n's editor"). */
	what: string;
	/** The environment variable that chooses it. */
	variable: string;
}

/** Whether a port can be listened on at 127.0.0.1 (as n8n and the sandbox will). */
export async function portFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** What answers HTTP on a taken port, when it says: "an n8n" or nothing. */
async function whoHolds(port: number): Promise<string | undefined> {
	try {
		const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1500), headers: { connection: 'close' } });
		const text = await response.text();
		return /"status"\s*:\s*"ok"/.test(text) ? 'probably another n8n' : undefined;
	} catch {
		return undefined;
	}
}

/** A run of `count` consecutive free ports from `from` on, for the suggestion. */
async function freeRun(from: number, count: number): Promise<number | undefined> {
	for (let start = from; start < from + 200; start++) {
		let ok = true;
		for (let offset = 0; offset < count && ok; offset++) ok = await portFree(start + offset);
		if (ok) return start;
	}
	return undefined;
}

/**
 * Checks every needed port; returns undefined when all are free, else the message to print: which
 * port is taken, by what if known, and a command line with free ports.
 */
export async function portProblem(needs: PortNeed[]): Promise<string | undefined> {
	const taken: string[] = [];
	for (const need of needs) {
		if (await portFree(need.port)) continue;
		const holder = await whoHolds(need.port);
		taken.push(`Port ${need.port} on 127.0.0.1 is already in use${holder ? ` (${holder})` : ''}: npm start needs it for ${need.what} (${need.variable}).`);
	}
	if (!taken.length) return undefined;
	// n8n takes N8N_PORT and the next one (its task runners); the sandbox one more.
	const base = await freeRun(Math.max(...needs.map((need) => need.port)) + 10, 3);
	const suggestion = base ? `N8N_PORT=${base} BIRD_SANDBOX_PORT=${base + 2} npm start` : 'N8N_PORT=<port> BIRD_SANDBOX_PORT=<port> npm start';
	return [...taken, `Stop the program that holds it, or choose other ports, for example:\n  ${suggestion}`].join('\n');
}
