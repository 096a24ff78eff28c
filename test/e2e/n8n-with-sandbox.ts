/**
 * The set-up every end-to-end file shares: the packed package installed into a throwaway user
 * folder of a real n8n (installed once into a cache), the Bird sandbox, a credential for it,
 * and the workflows the file runs.
 */
import type { IDataObject } from 'n8n-workflow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { readFileSync } from 'node:fs';

import type { ExecutionResult, N8nInstance } from '../../scripts/n8n';
import { ensureN8n, importInto, installPackage, n8nInstance, packPackage, publishWorkflow, ROOT } from '../../scripts/n8n';
import { BirdSandbox, SANDBOX } from '../../scripts/sandbox/server';

export const CREDENTIAL = { id: 'birdSandboxCred1', name: 'Bird sandbox' };

/** The "Bird sandbox" credential the examples use, pointing at a sandbox. */
export function sandboxCredential(baseUrl: string) {
	return {
		...CREDENTIAL,
		type: 'birdChannelsApi',
		data: { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, organizationId: SANDBOX.organizationId, accessKeyId: SANDBOX.accessKeyId, baseUrl },
	};
}

/**
 * Imports the sandbox credential and one example workflow into a stopped n8n, and publishes the
 * workflow so that n8n activates it when it starts (as `npm start` does). Returns the workflow.
 */
export async function publishExample(instance: N8nInstance, sandboxUrl: string, file: string): Promise<IDataObject & { id: string; nodes: IDataObject[] }> {
	const workflow = JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as IDataObject & { id: string; nodes: IDataObject[] };
	await importInto(instance, 'credentials', [sandboxCredential(sandboxUrl)]);
	await importInto(instance, 'workflow', [workflow]);
	await publishWorkflow(instance, workflow.id);
	return workflow;
}

export interface E2eSetup {
	sandbox: BirdSandbox;
	n8n: N8nInstance;
}

/** Registers the file's beforeAll/afterAll/beforeEach; the returned object is filled in beforeAll. */
export function useN8nWithSandbox(workflows: () => unknown[]): E2eSetup {
	const setup = { sandbox: new BirdSandbox() } as E2eSetup;
	let userFolder: string | undefined;
	beforeAll(async () => {
		const runtime = ensureN8n();
		userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-bird-e2e-'));
		installPackage(userFolder, packPackage());
		await setup.sandbox.start();
		setup.n8n = n8nInstance(runtime, userFolder);
		await importInto(setup.n8n, 'credentials', [sandboxCredential(setup.sandbox.url)]);
		await importInto(setup.n8n, 'workflow', workflows());
	}, 15 * 60_000);
	afterAll(async () => {
		await setup.sandbox.stop();
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});
	beforeEach(() => setup.sandbox.clear());
	return setup;
}

/** The items one output of a node produced in an execution. */
export function outputOf(result: ExecutionResult, node: string, output = 0): IDataObject[] {
	const task = result.run?.data.resultData.runData[node]?.[0];
	return (task?.data?.main[output] ?? []).map((item) => item.json as IDataObject);
}

export function succeeded(result: ExecutionResult): void {
	if (result.status !== 0 || result.run?.status !== 'success') {
		throw new Error(`the workflow did not succeed (exit ${result.status}):\n${result.output.slice(-3000)}`);
	}
}
