/**
 * Bird Channels › Contact, against the Bird sandbox (a real HTTP server that keeps contacts,
 * identifiers, attributes and lists as Bird does) and, for paging Bird's way, a scripted server.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX_LISTS, resourcesOf } from '../../scripts/sandbox/resources';
import { SANDBOX } from '../../scripts/sandbox/server';
import type { RecordedRequest } from '../helpers/bird-server';
import { useBirdServer } from '../helpers/bird-server';
import type { OnError } from '../helpers/n8n';
import { ACCESS_KEY, credentialsFor, loadOptions, runNode, searchList, WORKSPACE_ID } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();
const scripted = useBirdServer();

const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const byIdentifier = (value: string) => ({ __rl: true, mode: 'identifier', value });
const list = (value: string) => ({ __rl: true, mode: 'list', value });

async function contact(operation: string, parameters: IDataObject, items?: IDataObject[], onError?: OnError) {
	return await runNode({ type: 'bird', parameters: { resource: 'contact', operation, ...parameters }, items, credentials: sandboxCredentials(sandbox), onError });
}

const json = (result: { outputs: Array<Array<{ json: IDataObject }>> }) => result.outputs[0].map((item) => item.json);
const stored = (phone: string) => sandbox.contacts.find((candidate) => candidate.identifiers.some((identifier) => identifier.value === phone));

describe('Create or Update (Bird upsert by identifier)', () => {
	test('creates (201, created: true), then updates the same contact (200, created: false)', async () => {
		const first = await contact('upsert', {
			identifierValue: '+31 6 1000 0001',
			displayName: 'Jane',
			attributes: { attribute: [{ key: 'firstName', value: 'Jane' }, { key: 'rating', value: '={{ 9.5 }}' }] },
		});
		expect(first.error).toBeUndefined();
		const [created] = json(first);
		expect(created).toMatchObject({ computedDisplayName: 'Jane', created: true, attributes: { firstName: 'Jane', rating: 9.5 } });
		expect(created.featuredIdentifiers).toEqual([{ key: 'phonenumber', value: '+31610000001' }]);

		const second = await contact('upsert', {
			identifierValue: '+31610000001',
			displayName: 'Jane Doe',
			attributes: { attribute: [{ key: 'city', value: 'Utrecht' }] },
			upsertOptions: { addIdentifiers: 'jane.doe@example.com', addToLists: [SANDBOX_LISTS.vip.id] },
		});
		const [updated] = json(second);
		expect(updated).toMatchObject({ id: created.id, computedDisplayName: 'Jane Doe', created: false, listIds: [SANDBOX_LISTS.vip.id] });
		expect(updated.attributes).toEqual({ firstName: 'Jane', rating: 9.5, city: 'Utrecht' });
		expect(updated.featuredIdentifiers).toEqual([
			{ key: 'phonenumber', value: '+31610000001' },
			{ key: 'emailaddress', value: 'jane.doe@example.com' },
		]);
		const log = sandbox.log.filter((entry) => entry.method === 'PATCH').map((entry) => entry.path);
		expect(log).toEqual([
			`/workspaces/${SANDBOX.workspaceId}/contacts/identifiers/phonenumber/%2B31610000001`,
			`/workspaces/${SANDBOX.workspaceId}/contacts/identifiers/phonenumber/%2B31610000001`,
		]);
	});

	test('expressions per item: each item its own contact, output paired with its input', async () => {
		const items = [
			{ phone: '+31610000011', name: 'Ann' },
			{ phone: '+31610000012', name: 'Bob' },
			{ phone: SANDBOX.openContact.phone, name: 'Jane Open' },
		];
		const result = await contact('upsert', { identifierValue: '={{ $json.phone }}', displayName: '={{ $json.name }}' }, items);
		expect(json(result).map((item) => [item.computedDisplayName, item.created])).toEqual([
			['Ann', true],
			['Bob', true],
			['Jane Open', false],
		]);
		expect(result.outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test("identifiers of two contacts: Bird's 409 (strict alias); with First Alias the first contact wins", async () => {
		const parameters = { identifierValue: SANDBOX.openContact.phone, upsertOptions: { addIdentifiers: SANDBOX.closedContact.phone } };
		const refused = await contact('upsert', parameters);
		expect(refused.error?.message).toBe('The identifiers belong to more than one contact');
		expect(refused.error?.description).toContain('Bird error code: DuplicateIdentifier');
		const chosen = await contact('upsert', { ...parameters, upsertOptions: { ...parameters.upsertOptions, strategy: 'first_alias' } });
		expect(json(chosen)[0]).toMatchObject({ id: SANDBOX.openContact.id, created: false });
		expect(stored(SANDBOX.closedContact.phone)?.id).toBe(SANDBOX.closedContact.id);
	});
});

describe('Create', () => {
	test('a new contact with identifiers, attributes and a list (201)', async () => {
		const result = await contact('create', {
			displayName: 'Carla',
			identifiers: '+31 6 1000 0021, carla@example.com, telegramusername:carla',
			attributes: { attribute: [{ key: 'tier', value: 'gold' }] },
			listIds: [SANDBOX_LISTS.newsletter.id],
		});
		expect(result.error).toBeUndefined();
		const [created] = json(result);
		expect(created).toMatchObject({ computedDisplayName: 'Carla', attributes: { tier: 'gold' }, listIds: [SANDBOX_LISTS.newsletter.id] });
		expect(created.featuredIdentifiers).toEqual([
			{ key: 'phonenumber', value: '+31610000021' },
			{ key: 'emailaddress', value: 'carla@example.com' },
			{ key: 'telegramusername', value: 'carla' },
		]);
		expect(sandbox.log.at(-1)).toMatchObject({ method: 'POST', status: 201 });
	});

	test("an identifier another contact has: Bird's 409; Continue makes it the item's error with Bird's code", async () => {
		const result = await contact('create', { displayName: 'Copy', identifiers: SANDBOX.openContact.phone }, [{}], 'continueRegularOutput');
		const [item] = json(result);
		expect(item.error).toBe(`The identifier phonenumber ${SANDBOX.openContact.phone} belongs to another contact`);
		expect(item.errorDetails).toMatchObject({ httpCode: '409', code: 'DuplicateIdentifier' });
	});

	test("a list Bird does not know: Bird's 422 with its details, on the error output", async () => {
		const missing = 'deadbeef-0000-4000-8000-000000000000';
		const result = await contact('create', { displayName: 'Dan', listIds: `={{ "${missing}" }}` }, [{ keep: 1 }], 'continueErrorOutput');
		expect(result.outputs[0]).toHaveLength(0);
		const [item] = result.outputs[1];
		expect(item.json.error).toBe('The request did not pass validation: listIds[0]: is not a list of this workspace');
		expect(item.pairedItem).toEqual({ item: 0 });
	});
});

describe('Get and Search', () => {
	test('by ID, by identifier (found with contact search), simplified and raw', async () => {
		const simple = await contact('get', { contactId: byId(SANDBOX.openContact.id) });
		expect(json(simple)[0]).toEqual({
			id: SANDBOX.openContact.id,
			displayName: SANDBOX.openContact.name,
			identifiers: [{ key: 'phonenumber', value: SANDBOX.openContact.phone }],
			attributes: expect.any(Object),
			listIds: expect.any(Array),
			createdAt: expect.any(String),
			updatedAt: expect.any(String),
		});
		sandbox.clear();
		const raw = await contact('get', { contactId: byIdentifier('+31 (0)6 8765 4321'), simplify: false });
		expect(json(raw)[0]).toMatchObject({ id: SANDBOX.closedContact.id, computedDisplayName: SANDBOX.closedContact.name, featuredIdentifiers: [{ key: 'phonenumber', value: SANDBOX.closedContact.phone }] });
		expect(sandbox.log.map((entry) => `${entry.method} ${entry.path.replace(SANDBOX.workspaceId, 'ws')}`)).toEqual([
			'POST /workspaces/ws/contacts/search',
			`GET /workspaces/ws/contacts/${SANDBOX.closedContact.id}`,
		]);
	});

	test("an unknown ID is Bird's 404; an unknown identifier fails the same way; Stop names the item, Continue keeps going", async () => {
		const items = [{ id: SANDBOX.openContact.id }, { id: 'deadbeef-0000-4000-8000-000000000000' }, { id: SANDBOX.closedContact.id }];
		const stopped = await contact('get', { contactId: byId('={{ $json.id }}') }, items);
		expect(stopped.error?.message).toBe('Contact not found');
		expect(stopped.error?.description).toContain('Item 1 of 3 failed');

		const continued = await contact('get', { contactId: byId('={{ $json.id }}') }, items, 'continueRegularOutput');
		expect(json(continued).map((item) => item.error ?? item.id)).toEqual([SANDBOX.openContact.id, 'Contact not found', SANDBOX.closedContact.id]);
		expect(json(continued)[1]).toMatchObject({ id: items[1].id, errorDetails: { httpCode: '404', code: 'NotFound' } });

		const unknown = await contact('get', { contactId: byIdentifier('nobody@example.com') }, [{}], 'continueRegularOutput');
		expect(json(unknown)[0]).toMatchObject({ error: 'Bird knows no contact with emailaddress nobody@example.com (item 0)', errorDetails: { httpCode: '404', code: 'NotFound' } });
		expect(JSON.stringify([stopped.error, continued.outputs, unknown.outputs])).not.toContain(SANDBOX.accessKey);
	});

	test('Search: one item per contact found, none for an identifier nobody has', async () => {
		const items = [{ phone: SANDBOX.openContact.phone }, { phone: '+31699990000' }, { phone: SANDBOX.closedContact.phone }];
		const result = await contact('search', { identifierValue: '={{ $json.phone }}' }, items);
		expect(json(result).map((item) => item.id)).toEqual([SANDBOX.openContact.id, SANDBOX.closedContact.id]);
		expect(result.outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
	});
});

describe('Update and Delete', () => {
	test("Update changes name, attributes, identifiers and lists; a contact given by identifier is found first", async () => {
		await contact('upsert', { identifierValue: '+31610000031', displayName: 'Eve' });
		const result = await contact('update', {
			contactId: byIdentifier('+31610000031'),
			updateFields: {
				displayName: 'Eve Adams',
				attributes: { attribute: [{ key: 'vip', value: '={{ true }}' }] },
				addIdentifiers: 'eve@example.com',
				removeIdentifiers: '+31610000031',
				addToLists: [SANDBOX_LISTS.newsletter.id],
			},
		});
		expect(result.error).toBeUndefined();
		const [updated] = json(result);
		expect(updated).toMatchObject({ computedDisplayName: 'Eve Adams', attributes: { vip: true }, listIds: [SANDBOX_LISTS.newsletter.id] });
		expect(updated.featuredIdentifiers).toEqual([{ key: 'emailaddress', value: 'eve@example.com' }]);
	});

	test('Delete: the output names the contact; a second delete is 404', async () => {
		const created = json(await contact('create', { displayName: 'Gone', identifiers: '+31610000041' }))[0];
		const deleted = await contact('delete', { contactId: byId(String(created.id)) });
		expect(json(deleted)).toEqual([{ id: created.id, deleted: true }]);
		expect(stored('+31610000041')).toBeUndefined();
		const again = await contact('delete', { contactId: byId(String(created.id)) });
		expect(again.error?.message).toBe('Contact not found');
		expect(again.error?.description).toContain('Bird error code: NotFound');
	});
});

describe('Add to List and Remove From List', () => {
	test('by ID and by identifier; Bird says how many it processed', async () => {
		const added = await contact('addToList', { listId: list(SANDBOX_LISTS.vip.id), contactId: byId(SANDBOX.closedContact.id) });
		expect(json(added)).toEqual([{ listId: SANDBOX_LISTS.vip.id, contactId: SANDBOX.closedContact.id, itemsProcessed: 1 }]);
		expect(resourcesOf(sandbox).members(SANDBOX_LISTS.vip.id)).toContain(SANDBOX.closedContact.id);

		const removed = await contact('removeFromList', { listId: list(SANDBOX_LISTS.vip.id), contactId: byIdentifier(SANDBOX.closedContact.phone) });
		expect(json(removed)).toEqual([{ listId: SANDBOX_LISTS.vip.id, identifier: { key: 'phonenumber', value: SANDBOX.closedContact.phone }, itemsProcessed: 1 }]);
		expect(resourcesOf(sandbox).members(SANDBOX_LISTS.vip.id)).not.toContain(SANDBOX.closedContact.id);
		const body = sandbox.log.at(-1);
		expect(body).toMatchObject({ method: 'DELETE', path: `/workspaces/${SANDBOX.workspaceId}/lists/${SANDBOX_LISTS.vip.id}/contacts`, status: 200 });
	});

	test("a list Bird does not know is Bird's 404", async () => {
		const result = await contact('addToList', { listId: byId('deadbeef-0000-4000-8000-000000000000'), contactId: byId(SANDBOX.openContact.id) });
		expect(result.error?.message).toBe('List not found');
	});
});

describe('Get Many: Return All and Limit over Bird pages', () => {
	describe('a workspace with 12 contacts', () => {
		const fresh = useSandbox();
		const run = (parameters: IDataObject) => runNode({ type: 'bird', parameters: { resource: 'contact', operation: 'getAll', ...parameters }, credentials: sandboxCredentials(fresh) });
		beforeAll(async () => {
			// The sandbox starts with 2 contacts.
			for (let n = 1; n <= 10; n++) {
				await fetch(`${fresh.url}/workspaces/${SANDBOX.workspaceId}/contacts`, {
					method: 'POST',
					headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({ displayName: `Contact ${n}`, identifiers: [{ key: 'phonenumber', value: `+3162000${String(n).padStart(4, '0')}` }] }),
				});
			}
		});

		test('Limit 5 gives 5 items from one request; Return All gives 12', async () => {
			const limited = await run({ limit: 5 });
			expect(limited.outputs[0]).toHaveLength(5);
			expect(fresh.log.map((entry) => entry.path)).toHaveLength(1);
			const all = await run({ returnAll: true, simplify: false });
			expect(all.outputs[0]).toHaveLength(12);
			expect(all.outputs[0][11].json).toMatchObject({ computedDisplayName: 'Contact 10' });
			expect(all.outputs[0].every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0)).toBe(true);
		});
	});

	/** 12 contacts served 10 a page, whatever the limit asked (Bird may send fewer than asked). */
	const contacts = Array.from({ length: 12 }, (_, n) => ({ id: `c0000000-0000-4000-8000-0000000000${String(n + 10)}`, computedDisplayName: `Contact ${n + 1}` }));
	function pagesOfTen(request: RecordedRequest) {
		const start = request.query.pageToken === 'second' ? 10 : 0;
		return { status: 200, body: { results: contacts.slice(start, start + 10), ...(start === 0 ? { nextPageToken: 'second' } : {}) } };
	}

	test('Return All follows nextPageToken; Limit stops as soon as it has enough', async () => {
		scripted.respond(pagesOfTen);
		const all = await runNode({ type: 'bird', parameters: { resource: 'contact', operation: 'getAll', returnAll: true }, credentials: credentialsFor(scripted.url) });
		expect(all.outputs[0].map((item) => item.json.displayName)).toEqual(contacts.map((entry) => entry.computedDisplayName));
		expect(scripted.requests.map((request) => request.query)).toEqual([{ limit: '100' }, { limit: '100', pageToken: 'second' }]);
		expect(scripted.requests[0].path).toBe(`/workspaces/${WORKSPACE_ID}/contacts`);

		scripted.reset();
		const five = await runNode({ type: 'bird', parameters: { resource: 'contact', operation: 'getAll', limit: 5 }, credentials: credentialsFor(scripted.url) });
		expect(five.outputs[0]).toHaveLength(5);
		expect(scripted.requests.map((request) => request.query)).toEqual([{ limit: '5' }]);

		scripted.reset();
		const fifteen = await runNode({ type: 'bird', parameters: { resource: 'contact', operation: 'getAll', limit: 15 }, credentials: credentialsFor(scripted.url) });
		expect(fifteen.outputs[0]).toHaveLength(12);
		expect(scripted.requests.map((request) => request.query)).toEqual([{ limit: '15' }, { limit: '5', pageToken: 'second' }]);
	});

	test('a page token Bird repeats ends the reading instead of looping', async () => {
		scripted.respond(() => ({ status: 200, body: { results: contacts.slice(0, 2), nextPageToken: 'same' } }));
		const result = await runNode({ type: 'bird', parameters: { resource: 'contact', operation: 'getAll', returnAll: true }, credentials: credentialsFor(scripted.url) });
		expect(result.outputs[0]).toHaveLength(4);
		expect(scripted.requests).toHaveLength(2);
	});

	test("two input items: each gets its own list, paired with it", async () => {
		scripted.respond(() => ({ status: 200, body: { results: contacts.slice(0, 3) } }));
		const result = await runNode({ type: 'bird', parameters: { resource: 'contact', operation: 'getAll', limit: '={{ $json.limit }}' }, items: [{ limit: 2 }, { limit: 3 }], credentials: credentialsFor(scripted.url) });
		expect(result.outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 1 }, { item: 1 }]);
		expect(scripted.requests.map((request) => request.query.limit)).toEqual(['2', '3']);
	});
});

describe('pickers', () => {
	test('Contact: a phone number as people write it is looked up with contact search; other text filters the listing', async () => {
		const byPhone = await searchList({ type: 'bird', method: 'searchContacts', credentials: sandboxCredentials(sandbox), filter: '+31 6 1234 5678' });
		expect(byPhone.results).toEqual([{ name: `${SANDBOX.openContact.name} · ${SANDBOX.openContact.phone}`, value: SANDBOX.openContact.id }]);
		const byName = await searchList({ type: 'bird', method: 'searchContacts', credentials: sandboxCredentials(sandbox), filter: 'joe' });
		expect(byName.results.map((result) => result.value)).toEqual([SANDBOX.closedContact.id]);
	});

	test('Contact: the listing goes page by page with Bird’s page token', async () => {
		scripted.respond((request) => ({
			status: 200,
			body: request.query.pageToken ? { results: [{ id: 'c2', computedDisplayName: 'Two' }] } : { results: [{ id: 'c1', computedDisplayName: 'One', featuredIdentifiers: [{ key: 'emailaddress', value: 'one@example.com' }] }], nextPageToken: 'p2' },
		}));
		const first = await searchList({ type: 'bird', method: 'searchContacts', credentials: credentialsFor(scripted.url) });
		expect(first).toEqual({ results: [{ name: 'One · one@example.com', value: 'c1' }], paginationToken: 'p2' });
		const second = await searchList({ type: 'bird', method: 'searchContacts', credentials: credentialsFor(scripted.url), paginationToken: 'p2' });
		expect(second).toEqual({ results: [{ name: 'Two', value: 'c2' }], paginationToken: undefined });
		expect(scripted.requests.map((request) => request.query)).toEqual([{ limit: '100' }, { limit: '100', pageToken: 'p2' }]);
		expect(scripted.requests[0].headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
	});

	test('List: the picker and the multi-select of lists', async () => {
		const picker = await searchList({ type: 'bird', method: 'searchLists', credentials: sandboxCredentials(sandbox), filter: 'news' });
		expect(picker.results).toEqual([{ name: expect.stringMatching(/^Newsletter \(\d+ contacts?\)$/), value: SANDBOX_LISTS.newsletter.id }]);
		const options = await loadOptions({ type: 'bird', kind: 'loadOptions', method: 'getLists', credentials: sandboxCredentials(sandbox) });
		expect((options as Array<{ value: string }>).map((option) => option.value)).toEqual([SANDBOX_LISTS.vip.id, SANDBOX_LISTS.newsletter.id]);
	});
});

describe("the sandbox's Contacts API refuses what Bird refuses", () => {
	const api = async (method: string, path: string, body?: unknown) => {
		const response = await fetch(`${sandbox.url}/workspaces/${SANDBOX.workspaceId}${path}`, {
			method,
			headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as IDataObject) };
	};

	test('422 with details for a bad identifier, name, attribute or page size; 404 for unknown IDs', async () => {
		expect(await api('PATCH', '/contacts/identifiers/phonenumber/0612345678', {})).toEqual({
			status: 422,
			body: { code: 'InvalidPayload', message: 'The request did not pass validation', details: { identifierValue: ['is not a valid E.164 phone number'] } },
		});
		const created = await api('POST', '/contacts', { displayName: '', identifiers: [{ key: 'emailaddress', value: 'nope' }], attributes: { address: { city: 'x' } } });
		expect(created.body?.details).toEqual({
			displayName: ['is required'],
			'identifiers[0].value': ['is not a valid email address'],
			'attributes.address': ['must be a string, number, boolean, null or a non-empty list of those'],
		});
		expect((await api('GET', '/contacts?limit=101')).body?.details).toEqual({ limit: ['must be a whole number from 1 to 100'] });
		expect((await api('GET', `/channels/${SANDBOX.channels.whatsapp}/messages?limit=1001`)).body?.details).toEqual({ limit: ['must be a whole number from 1 to 1000'] });
		expect((await api('GET', '/contacts/deadbeef-0000-4000-8000-000000000000')).status).toBe(404);
		expect((await api('POST', '/lists/deadbeef-0000-4000-8000-000000000000/contacts', { contacts: [SANDBOX.openContact.id] })).status).toBe(404);
	});

	test("upsert strategy first: a found contact gets nothing added; a new one only the path's identifier", async () => {
		const found = await api('PATCH', `/contacts/identifiers/phonenumber/${encodeURIComponent(SANDBOX.openContact.phone)}`, { strategy: 'first', addIdentifiers: [{ key: 'emailaddress', value: 'first@example.com' }] });
		expect(found.status).toBe(200);
		expect(found.body?.featuredIdentifiers).toEqual([{ key: 'phonenumber', value: SANDBOX.openContact.phone }]);
		const created = await api('PATCH', '/contacts/identifiers/phonenumber/%2B31610000051', { strategy: 'first', addIdentifiers: [{ key: 'emailaddress', value: 'new@example.com' }] });
		expect(created.status).toBe(201);
		expect(created.body?.featuredIdentifiers).toEqual([{ key: 'phonenumber', value: '+31610000051' }]);
	});
});
