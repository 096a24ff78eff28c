/**
 * Bird Channels as n8n sees it: its description (Resource and Operation, defaults, names, a tool
 * for AI agents, a display name that cannot clash with Bird's own package), every operation
 * wired to its implementation, and n8n's Retry On Fail, which may repeat reads but never a write
 * that reached Bird.
 */
import type { INodeProperties, INodeType } from 'n8n-workflow';

import { useBirdServer } from '../helpers/bird-server';
import { credentialsFor, loadPackage, runNode } from '../helpers/n8n';

const server = useBirdServer();

async function bird(): Promise<INodeType> {
	return (await loadPackage()).nodeTypes.bird.type as INodeType;
}

/** Every property, nested ones (collections, fixed collections) included. */
function allProperties(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => [
		property,
		...allProperties((property.options ?? []).flatMap((option) => ('values' in option ? option.values : 'name' in option && 'type' in option ? [option as INodeProperties] : []))),
	]);
}

/** The node's operations, per resource, as its Operation fields offer them. */
async function operations(): Promise<Array<[string, string]>> {
	const { description } = await bird();
	return description.properties
		.filter((property) => property.name === 'operation')
		.flatMap((property) => (property.options ?? []).map((option) => [String(property.displayOptions?.show?.resource?.[0]), String((option as { value: string }).value)] as [string, string]));
}

describe('the description', () => {
	test("named Bird Channels (type bird), not Bird: n8n's installer keys nodes by display name", async () => {
		const { description } = await bird();
		expect(description.name).toBe('bird');
		expect(description.displayName).toBe('Bird Channels');
		expect(description.displayName).not.toBe('Bird');
		expect(description.defaults.name).toBe('Bird Channels');
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([{ name: 'birdChannelsApi', required: true }]);
	});

	test('Resource and Operation, as n8n nodes have them: not expressions, each operation with an action', async () => {
		const { description } = await bird();
		const resource = description.properties.find((property) => property.name === 'resource');
		expect(resource).toMatchObject({ type: 'options', noDataExpression: true, default: 'contact' });
		expect(resource?.options?.map((option) => (option as { value: string }).value)).toEqual(['contact', 'conversation', 'message']);
		for (const property of description.properties.filter((candidate) => candidate.name === 'operation')) {
			expect(property.noDataExpression).toBe(true);
			for (const option of property.options ?? []) expect((option as { action?: string }).action).toEqual(expect.any(String));
		}
		expect(await operations()).toEqual([
			['contact', 'addToList'],
			['contact', 'create'],
			['contact', 'upsert'],
			['contact', 'delete'],
			['contact', 'get'],
			['contact', 'getAll'],
			['contact', 'removeFromList'],
			['contact', 'search'],
			['contact', 'update'],
			['conversation', 'addParticipant'],
			['conversation', 'get'],
			['conversation', 'getAll'],
			['conversation', 'getParticipants'],
			['conversation', 'update'],
			['message', 'downloadMedia'],
			['message', 'get'],
			['message', 'getAll'],
		]);
	});

	test('every parameter, nested ones too, has a display name and a default', async () => {
		const { description } = await bird();
		const missing = allProperties(description.properties)
			.filter((property) => !property.displayName || !('default' in property) || property.default === undefined)
			.map((property) => property.name);
		expect(missing).toEqual([]);
	});

	test("reads get a read's Delivery options (Bird's 50 per second), writes a write's (500)", async () => {
		const { description } = await bird();
		const delivery = description.properties.filter((property) => property.name === 'delivery');
		expect(delivery.map((property) => property.displayOptions)).toEqual([
			{ show: { operation: ['downloadMedia', 'get', 'getAll', 'getParticipants', 'search'] } },
			{ hide: { operation: ['downloadMedia', 'get', 'getAll', 'getParticipants', 'search'] } },
		]);
		const rate = (index: number) => (delivery[index].options as INodeProperties[]).find((option) => option.name === 'maxRequestsPerSecond')?.default;
		expect([rate(0), rate(1)]).toEqual([50, 500]);
	});
});

describe('every operation is wired to its implementation', () => {
	test.each([['contact'], ['conversation'], ['message']])('%s: each operation reads its parameters (and refuses empty ones before any request)', async (resource) => {
		for (const [owner, operation] of await operations()) {
			if (owner !== resource) continue;
			server.reset();
			// Empty as expressions give them (n8n itself refuses to run a required field left empty).
			const empty = '={{ "" }}';
			const locator = { __rl: true, mode: 'id', value: empty };
			const parameters = { resource, operation, contactId: locator, listId: locator, conversationId: locator, channelId: locator, messageId: locator, identifierValue: empty, displayName: empty, participantId: empty };
			const result = await runNode({ type: 'bird', parameters, credentials: credentialsFor(server.url) });
			// Each needs something (an ID, an identifier) or lists: either it refused the empty input, or it asked Bird.
			expect({ operation, message: result.error?.message ?? '' }).not.toEqual({ operation, message: expect.stringMatching(/is not known/) });
			if (result.error) expect({ operation, requests: server.requests.length }).toEqual({ operation, requests: 0 });
		}
	});
});

describe("n8n's Retry On Fail", () => {
	test('a read is asked again on the rerun', async () => {
		let calls = 0;
		server.respond(() => (++calls === 1 ? { status: 404, body: { code: 'NotFound', message: 'Contact not found' } } : { status: 200, body: { id: 'c1', computedDisplayName: 'Jane' } }));
		const result = await runNode({
			type: 'bird',
			parameters: { resource: 'contact', operation: 'get', contactId: { __rl: true, mode: 'id', value: 'c1a2b3c4-0000-4000-8000-000000000001' } },
			credentials: credentialsFor(server.url),
			retryOnFail: 2,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toEqual({ id: 'c1', displayName: 'Jane' });
		expect(server.requests).toHaveLength(2);
	});

	test('a write Bird accepted is not sent again: the rerun hands back its first answer and retries only the refused item', async () => {
		let conflicts = 0;
		server.respond((request) =>
			String(request.path).endsWith('%2B31600000002') && ++conflicts === 1
				? { status: 409, body: { code: 'DuplicateIdentifier', message: 'The identifiers belong to more than one contact' } }
				: { status: 201, body: { id: `for-${request.path.split('/').pop()}` } },
		);
		const result = await runNode({
			type: 'bird',
			parameters: { resource: 'contact', operation: 'upsert', identifierValue: '={{ $json.phone }}' },
			items: [{ phone: '+31600000001' }, { phone: '+31600000002' }],
			credentials: credentialsFor(server.url),
			retryOnFail: 2,
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ id: 'for-%2B31600000001', created: true },
			{ id: 'for-%2B31600000002', created: true },
		]);
		expect(server.requests.map((request) => request.path.split('/').pop())).toEqual(['%2B31600000001', '%2B31600000002', '%2B31600000002']);
	});
});
