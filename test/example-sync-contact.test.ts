/**
 * The example "Bird: sync a contact, send, check the status" (examples/sync-contact-send-check-status.json)
 * run whole by n8n-core's WorkflowExecute against the Bird sandbox: Bird Channels › Contact ›
 * Create or Update, Send Message, Bird Channels › Message › Get, with the example's own
 * expressions. Only the Manual Trigger is a stand-in (n8n-nodes-base is not installed here).
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { IDataObject, INode, INodeType, IRun, IWorkflowBase } from 'n8n-workflow';
import { createDeferredPromise, Workflow } from 'n8n-workflow';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { SANDBOX } from '../scripts/sandbox/server';
import { additionalDataFor, loadPackage, PACKAGE_ROOT, PackageNodeTypes } from './helpers/n8n';
import { sandboxCredentials, useSandbox } from './helpers/sandbox';

const sandbox = useSandbox();

const MANUAL_TRIGGER: INodeType = {
	description: { displayName: 'Manual Trigger', name: 'manualTrigger', group: ['trigger'], version: 1, description: '', defaults: {}, inputs: [], outputs: ['main'], properties: [] },
	async execute() {
		return [[{ json: {} }]];
	},
};

test('sync Jane, send her a text, read its status back', async () => {
	const example = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'examples', 'sync-contact-send-check-status.json'), 'utf8')) as IWorkflowBase & { nodes: INode[] };
	const loader = await loadPackage();
	const nodeTypes = new PackageNodeTypes(loader, { 'n8n-nodes-base.manualTrigger': MANUAL_TRIGGER });
	const workflow = new Workflow({ id: example.id, nodes: example.nodes, connections: example.connections, active: false, nodeTypes, settings: example.settings });
	const hooks = new ExecutionLifecycleHooks('manual', 'example-execution', { ...example, activeVersionId: null, isArchived: false, createdAt: new Date(), updatedAt: new Date() } as never);
	const done = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (run) => done.resolve(run));
	const additionalData = additionalDataFor(loader, sandboxCredentials(sandbox), hooks);
	await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: workflow.getNode('Start') ?? undefined });
	const run = await done.promise;
	expect(run.data.resultData.error).toBeUndefined();
	const output = (node: string) => run.data.resultData.runData[node]?.[0]?.data?.main?.[0]?.map((item) => item.json) ?? [];

	expect(output('Sync contact')).toEqual([expect.objectContaining({ id: SANDBOX.openContact.id, computedDisplayName: 'Jane', created: false, attributes: { lastOrder: '1234' } })]);
	const [sent] = output('Send Message');
	const [status] = output('Check status');
	expect(status).toMatchObject({ id: sent.id, channelId: SANDBOX.channels.whatsapp, status: 'accepted', contact: { identifierValue: SANDBOX.openContact.phone }, text: 'Hi Jane, your order 1234 ships today.' });
	expect((sandbox.messages.at(-1)?.body as IDataObject).text).toEqual({ text: 'Hi Jane, your order 1234 ships today.' });
});
