/**
 * Smart send against the sandbox, whose WhatsApp window is open for Jane (she wrote an hour ago)
 * and closed for Joe (two days ago): free-form when open, the fallback template (or a failed
 * item) when closed or when Bird does not know the contact, and no window check at all on
 * platforms without one.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

const whatsapp = { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp };
const sms = { __rl: true, mode: 'id', value: SANDBOX.channels.sms };

/** The fallback template, as the editor saves it once its variables were loaded. */
const fallback = {
	fallbackTemplateProjectId: { __rl: true, mode: 'list', value: SANDBOX.templateProjectId },
	fallbackTemplateLocale: 'en',
	fallbackTemplateVariables: {
		mappingMode: 'defineBelow',
		value: { name: '={{ $json.name }}' },
		matchingColumns: [],
		schema: [{ id: 'name', displayName: 'name', required: true, defaultMatch: false, display: true, type: 'string' }],
	},
};
const templateFor = (name: string) => ({ projectId: SANDBOX.templateProjectId, version: 'latest', locale: 'en', parameters: [{ type: 'string', key: 'name', value: name }] });

const PEOPLE = {
	jane: { phone: SANDBOX.openContact.phone, name: 'Jane' },
	joe: { phone: SANDBOX.closedContact.phone, name: 'Joe' },
	stranger: { phone: '+31699999999', name: 'Stranger' },
};

async function send(people: IDataObject[], more: IDataObject = {}, opts: { channel?: IDataObject; continueOnFail?: boolean } = {}) {
	return await runNode({
		type: 'birdSendMessage',
		typeVersion: 1.1,
		parameters: {
			channelId: opts.channel ?? whatsapp,
			identifierValue: '={{ $json.phone }}',
			messageType: 'text',
			text: '=Hi {{ $json.name }}, your parcel is on its way',
			ifWindowClosed: 'template',
			...fallback,
			...more,
		},
		items: people,
		credentials: sandboxCredentials(sandbox),
		continueOnFail: opts.continueOnFail,
	});
}

const routes = () => sandbox.log.map(({ method, path }) => `${method} ${path.replace(/\/workspaces\/[^/]+/, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`);
const sent = () => sandbox.messages.filter((message) => message.direction === 'outgoing');

describe('Send Message: if the service window is closed, send a template instead', () => {
	test('Jane (open): the free-form message, and the window it saw', async () => {
		const result = await send([PEOPLE.jane]);
		expect(result.error).toBeUndefined();
		expect(sent().map((message) => message.body)).toEqual([{ type: 'text', text: { text: 'Hi Jane, your parcel is on its way' } }]);
		const [{ json }] = result.outputs[0];
		expect(json).toMatchObject({ id: sent()[0].id, sentAs: 'free-form', serviceWindow: { isOpen: true, reason: 'open', contactId: SANDBOX.openContact.id } });
		// The channel (is it WhatsApp?), the contact, its window, then the message.
		expect(routes()).toEqual(['GET /channels/:id', 'POST /contacts/search', 'GET /channels/:id/contacts/:id', 'POST /channels/:id/messages']);
	});

	test('Joe (closed): the template instead, with his name', async () => {
		const result = await send([PEOPLE.joe]);
		expect(result.error).toBeUndefined();
		expect(sent().map((message) => [message.body, message.template])).toEqual([[undefined, templateFor('Joe')]]);
		expect(result.outputs[0][0].json).toMatchObject({ sentAs: 'template', serviceWindow: { isOpen: false, reason: 'expired', contactId: SANDBOX.closedContact.id } });
	});

	test('a contact Bird does not know has no window: the template', async () => {
		const result = await send([PEOPLE.stranger]);
		expect(sent().map((message) => message.template)).toEqual([templateFor('Stranger')]);
		expect(result.outputs[0][0].json).toMatchObject({ sentAs: 'template', serviceWindow: { isOpen: false, reason: 'unknownContact', contactId: null } });
		expect(routes()).toEqual(['GET /channels/:id', 'POST /contacts/search', 'POST /channels/:id/messages']);
	});

	test('an SMS channel has no window: no check, the message as it is, serviceWindow null', async () => {
		const result = await send([PEOPLE.joe, PEOPLE.jane], {}, { channel: sms });
		expect(result.error).toBeUndefined();
		expect(routes()).toEqual(['GET /channels/:id', 'POST /channels/:id/messages', 'POST /channels/:id/messages']);
		expect(result.outputs[0].map((item) => [item.json.sentAs, item.json.serviceWindow])).toEqual([['free-form', null], ['free-form', null]]);
	});

	test('several items: the channel is read once, each contact’s window once, in input order', async () => {
		const result = await send([PEOPLE.jane, PEOPLE.joe, PEOPLE.jane]);
		expect(result.outputs[0].map((item) => [item.pairedItem, item.json.sentAs])).toEqual([
			[{ item: 0 }, 'free-form'],
			[{ item: 1 }, 'template'],
			[{ item: 2 }, 'free-form'],
		]);
		expect(routes().filter((route) => route === 'GET /channels/:id')).toHaveLength(1);
		expect(routes().filter((route) => route === 'GET /channels/:id/contacts/:id')).toHaveLength(3);
	});

	test('batch mode: each item checked, Joe’s template joins the same batch', async () => {
		const result = await send([PEOPLE.jane, PEOPLE.joe], { sendMode: 'batch' });
		expect(result.error).toBeUndefined();
		expect(routes().filter((route) => route.startsWith('POST /channels'))).toEqual(['POST /channels/:id/batch/messages']);
		expect(result.outputs[0].map((item) => [item.json.status, item.json.sentAs])).toEqual([['sent', 'free-form'], ['sent', 'template']]);
		expect(sent().map((message) => Boolean(message.template))).toEqual([false, true]);
	});

	test('fail the item instead: Joe’s item fails and nothing goes to him; Jane’s is sent', async () => {
		const result = await send([PEOPLE.joe, PEOPLE.jane], { ifWindowClosed: 'fail' }, { continueOnFail: true });
		const [joe, jane] = result.outputs[0];
		expect(joe.json.error).toBe(`The WhatsApp service window with ${PEOPLE.joe.phone} is closed: the message was not sent (item 0)`);
		expect((joe.json.errorDetails as IDataObject).description).toMatch(/closed at .*Send a Template Instead/);
		expect(jane.json).toMatchObject({ sentAs: 'free-form' });
		expect(sent()).toHaveLength(1);
	});

	test('send anyway (the default): no window check, outputs as before', async () => {
		const result = await send([PEOPLE.jane], { ifWindowClosed: 'send' });
		expect(routes()).toEqual(['POST /channels/:id/messages']);
		expect(result.outputs[0][0].json.sentAs).toBeUndefined();
	});

	test('several recipients in one item are refused before anything is sent', async () => {
		const result = await send([{ phone: `${PEOPLE.jane.phone}, ${PEOPLE.joe.phone}`, name: 'both' }]);
		expect(result.error?.message).toMatch(/^Recipient: has 2 recipients, but If Service Window Is Closed checks one contact's window per message/);
		expect(sandbox.log).toEqual([]);
	});

	test('a fallback variable left empty is refused before anything is sent', async () => {
		const result = await send([{ phone: PEOPLE.joe.phone }]);
		expect(result.error?.message).toBe('Fallback Template Variables › name: is required but empty (item 0)');
		expect(sandbox.log).toEqual([]);
	});
});

describe('Reply: if the service window is closed', () => {
	test("the conversation's contact is checked: Joe (closed) gets the template, Jane (open) the text", async () => {
		const joe = await sandbox.inbound({ identifierValue: PEOPLE.joe.phone, text: 'Where is my parcel?', late: true });
		const jane = await sandbox.inbound({ identifierValue: PEOPLE.jane.phone, text: 'Where is my parcel?' });
		sandbox.log.length = 0;
		const result = await runNode({
			type: 'birdReply',
			typeVersion: 1.1,
			parameters: {
				conversationId: '={{ $json.conversationId }}',
				messageType: 'text',
				text: '=Hi {{ $json.name }}, it ships today',
				ifWindowClosed: 'template',
				...fallback,
			},
			items: [
				{ conversationId: String(joe.conversationId), name: 'Joe' },
				{ conversationId: String(jane.conversationId), name: 'Jane' },
			],
			// Customers started these conversations: the credential says which participant the key is.
			credentials: sandboxCredentials(sandbox, { accessKeyId: SANDBOX.accessKeyId }),
		});
		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => [item.json.sentAs, (item.json.serviceWindow as IDataObject).reason])).toEqual([
			['template', 'expired'],
			['free-form', 'open'],
		]);
		expect(sent().map((message) => [message.conversationId, message.template ?? message.body])).toEqual([
			[joe.conversationId, templateFor('Joe')],
			[jane.conversationId, { type: 'text', text: { text: 'Hi Jane, it ships today' } }],
		]);
		// The conversation names its contact: the window is read by contact ID, no search.
		expect(routes().filter((route) => route === 'POST /contacts/search')).toEqual([]);
	});
});
