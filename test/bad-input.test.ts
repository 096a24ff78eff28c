/**
 * The bad-input matrix: for every node, values a workflow could hand it that Bird would refuse.
 * Each must fail before any request leaves, with an error that names the field (label and
 * parameter path), the input item and what a valid value looks like.
 *
 * Values n8n itself refuses before running (an empty required field, a By ID value failing the
 * field's regex) are given as expressions, as they would arrive from an earlier node's data.
 */
import type { IDataObject } from 'n8n-workflow';

import { useBirdServer } from './helpers/bird-server';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, runNode } from './helpers/n8n';
import { plainText } from '../nodes/shared/validation';

const server = useBirdServer(() => ({ status: 202, body: { id: 'accepted', status: 'accepted' } }));

const channel = { __rl: true, mode: 'id', value: CHANNEL_ID };
const CONVERSATION_ID = 'aaf0ceff-de0d-4a63-b624-ae9bf0354912';
const SENDER_ID = 'e0b759f7-c366-4223-87a5-d1186ba4644f';
const UUID_EXAMPLE = '4a6b4b9e-';
const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

/** A valid starting point per node; each case changes what it needs to make the input bad. */
const BASE: Record<string, IDataObject> = {
	birdSendMessage: { channelId: channel, identifierValue: '+31612345678', messageType: 'text', text: 'Hi' },
	birdCheckServiceWindow: { channelId: channel, identifierValue: '+31612345678' },
	birdCreateConversation: { channelId: channel, identifierValue: '+31612345678', conversationName: 'Support', messageType: 'text', text: 'Hi' },
	birdReply: { conversationId: CONVERSATION_ID, participantId: SENDER_ID, messageType: 'text', text: 'Hi' },
	// Bird Channels: Contact › Create or Update; each case switches resource and operation as it needs.
	bird: { resource: 'contact', operation: 'upsert', identifierValue: '+31612345678' },
};

const locator = (value: string, mode = 'id') => ({ __rl: true, mode, value });
const conversation = locator(CONVERSATION_ID);

type Case = [name: string, node: string, parameters: IDataObject, message: RegExp, path: string, example: string];

const CASES: Case[] = [
	// Send Message: recipients, channel and options
	// Empty as typed, n8n itself refuses to run (Text is marked required); empty from an expression, the node does.
	['empty text', 'birdSendMessage', { text: '={{ "" }}' }, /^Text: is required but empty/, 'text', 'Hello!'],
	['text over 4096 characters', 'birdSendMessage', { text: 'x'.repeat(4097) }, /^Text: is 4097 characters long; at most 4096/, 'text', 'Hello!'],
	['a phone number that is not E.164', 'birdSendMessage', { identifierValue: '0612345678' }, /^Recipient: "0612345678" is not a phone number in E\.164 format/, 'identifierValue', '+31612345678'],
	['an email address without @', 'birdSendMessage', { identifierKey: 'emailaddress', identifierValue: 'jane.example.com' }, /^Recipient: "jane\.example\.com" is not an email address/, 'identifierValue', 'jane@example.com'],
	['a channel ID that is not a UUID', 'birdSendMessage', { channelId: { __rl: true, mode: 'id', value: '={{ "whatsapp" }}' } }, /^Channel: "whatsapp" is not a UUID/, 'channelId', UUID_EXAMPLE],
	['a tag with !', 'birdSendMessage', { options: { tags: 'vip!' } }, /^Options › Tags: "vip!" may only use letters/, 'options.tags', 'order-update'],
	['11 tags', 'birdSendMessage', { options: { tags: 'a,b,c,d,e,f,g,h,i,j,k' } }, /^Options › Tags: has 11 tags; at most 10/, 'options.tags', 'order-update'],
	['a schedule 40 days ahead', 'birdSendMessage', { options: { scheduledFor: days(40) } }, /^Options › Scheduled For: .* is more than 35 days ahead/, 'options.scheduledFor', days(1).slice(0, 10)],
	['a schedule that is not a date', 'birdSendMessage', { options: { scheduledFor: 'next tuesday-ish' } }, /^Options › Scheduled For: "next tuesday-ish" is not a date and time/, 'options.scheduledFor', days(1).slice(0, 10)],
	['a validity of 0 seconds', 'birdSendMessage', { options: { validity: 0 } }, /^Options › Validity \(Seconds\): 0 is below the minimum of 1/, 'options.validity', '3600'],
	['a CC that is not an email address', 'birdSendMessage', { identifierKey: 'emailaddress', identifierValue: 'jane@example.com', options: { cc: 'boss' } }, /^Options › CC: "boss" is not an email address/, 'options.cc', 'jane@example.com'],
	// Send Message: message content (the shared module, so these hold for every sending node)
	['latitude 91', 'birdSendMessage', { messageType: 'location', latitude: 91, longitude: 4.9 }, /^Latitude: 91 is above the maximum of 90/, 'latitude', '52.3435942'],
	['a list without rows', 'birdSendMessage', { messageType: 'list', listRows: {} }, /^Rows: needs at least one row/, 'listRows', '1 row with a Text and a Payload'],
	['a list button label over 20 characters', 'birdSendMessage', { messageType: 'list', listButtonLabel: 'Choose one of these options', listRows: { row: [{ text: 'a', payload: 'a' }] } }, /^Button Label: is 27 characters long; at most 20/, 'listButtonLabel', 'Show options'],
	['a carousel with one card', 'birdSendMessage', { messageType: 'carousel', carouselCards: { card: [{ title: 'x', mediaUrl: 'https://e.com/1.jpg', linkText: 'a', linkUrl: 'https://e.com' }] } }, /^Cards: has 1 card; a carousel needs 2 to 10/, 'carouselCards', '2 cards'],
	['a template without a project', 'birdSendMessage', { messageType: 'template', templateProjectId: { __rl: true, mode: 'id', value: '={{ $json.missing }}' } }, /^Template: is required but empty/, 'templateProjectId', UUID_EXAMPLE],
	['an image URL that is not a URL', 'birdSendMessage', { messageType: 'image', images: { image: [{ mediaUrl: 'picture.jpg' }] } }, /^Images › Image 1 › Media URL: "picture\.jpg" is not an http\(s\) URL/, 'images.image[0].mediaUrl', 'https://'],
	['a file whose content type is not a MIME type', 'birdSendMessage', { messageType: 'file', files: { file: [{ mediaUrl: 'https://e.com/a.pdf', contentType: 'pdf' }] } }, /^Files › File 1 › Content Type: "pdf" is not a MIME type/, 'files.file[0].contentType', 'application/pdf'],
	['an email with neither HTML nor text', 'birdSendMessage', { messageType: 'html', html: '', text: '' }, /^HTML: an email needs HTML, Plain Text or both/, 'html', '<p>Hello</p>'],
	// Check Service Window
	['a contact phone number that is not E.164', 'birdCheckServiceWindow', { identifierValue: '06 1234' }, /^Contact: "06 1234" is not a phone number in E\.164 format/, 'identifierValue', '+31612345678'],
	['a contact ID that is not a UUID', 'birdCheckServiceWindow', { contactBy: 'id', contactId: 'not-a-uuid' }, /^Contact ID: "not-a-uuid" is not a UUID/, 'contactId', UUID_EXAMPLE],
	// Text with only commas from an expression whose fields were all missing: no one to ask about.
	['a contact that is only commas', 'birdCheckServiceWindow', { identifierValue: '={{ " , " }}' }, /^Contact: "," holds no value between its commas/, 'identifierValue', '+31612345678'],
	['a negative minimum remaining time', 'birdCheckServiceWindow', { options: { minimumRemainingMinutes: -5 } }, /^Options › Minimum Remaining Time \(Minutes\): -5 is below the minimum of 0/, 'options.minimumRemainingMinutes', '15'],
	// Create Conversation
	['6 participants', 'birdCreateConversation', { identifierValue: '+31600000001,+31600000002,+31600000003,+31600000004,+31600000005,+31600000006' }, /^Participants: has 6 values; at most 5 are allowed/, 'identifierValue', '+31612345678'],
	['a participant that is not E.164', 'birdCreateConversation', { identifierValue: '+31600000001, 0031 6 1234' }, /^Participants: "0031 6 1234" is not a phone number in E\.164 format/, 'identifierValue', '+31612345678'],
	['participants that are only commas', 'birdCreateConversation', { identifierValue: '={{ "," }}', conversationName: '' }, /^Participants: "," holds no value between its commas/, 'identifierValue', '+31612345678'],
	// Empty means "every participant": commas alone must not widen it to everyone.
	['first-message recipients that are only commas', 'birdCreateConversation', { options: { recipients: '={{ ", ," }}' } }, /^Options › Recipients: ", ," holds no value between its commas/, 'options.recipients', '+31612345678'],
	['an attribute without a key', 'birdCreateConversation', { options: { attributes: { attribute: [{ key: '', value: 'x' }] } } }, /^Options › Attributes › Attribute 1 › Key: is required but empty/, 'options.attributes.attribute[0].key', 'ticketId'],
	['an attribute whose value is an object', 'birdCreateConversation', { options: { attributes: { attribute: [{ key: 'ticket', value: '={{ { id: 7 } }}' }] } } }, /^Options › Attributes › Attribute 1 › Value: \{"id":7\} is not text, a number, true\/false/, 'options.attributes.attribute[0].value', '123'],
	['a visibility Bird does not have', 'birdCreateConversation', { options: { visibility: '={{ "hidden" }}' } }, /^Options › Visibility: "hidden" is not one of public, private/, 'options.visibility', 'public'],
	['a first-message recipient that is not E.164', 'birdCreateConversation', { options: { recipients: 'jane' } }, /^Options › Recipients: "jane" is not a phone number in E\.164 format/, 'options.recipients', '+31612345678'],
	// Reply
	['a conversation ID that is not a UUID', 'birdReply', { conversationId: '={{ "abc" }}' }, /^Conversation ID: "abc" is not a UUID/, 'conversationId', UUID_EXAMPLE],
	// An access key's ID may be empty (the node finds it in the conversation); a user's may not.
	['an empty sender ID', 'birdReply', { participantType: 'flow', participantId: '={{ "" }}' }, /^Sender ID: is required but empty/, 'participantId', UUID_EXAMPLE],
	['a sender ID that is not a UUID', 'birdReply', { participantType: 'contact', participantId: 'jane' }, /^Sender ID: "jane" is not a UUID/, 'participantId', UUID_EXAMPLE],
	['a sender type Bird does not have', 'birdReply', { participantType: '={{ "agent" }}' }, /^Sender Type: "agent" is not one of accessKey, contact, flow/, 'participantType', 'accessKey'],
	// n8n hands an expression's text through as text: "yes" must not quietly mean "not a draft".
	['a Draft that is neither true nor false', 'birdReply', { options: { draft: '={{ "yes" }}' } }, /^Options › Draft: must be true or false, got "yes"/, 'options.draft', 'false'],
	['a reference over 256 characters', 'birdReply', { options: { reference: 'r'.repeat(257) } }, /^Options › Reference: is 257 characters long; at most 256/, 'options.reference', ''],
	['a reply recipient that is not E.164', 'birdReply', { identifierValue: '0612345678' }, /^Recipients?: "0612345678" is not a phone number in E\.164 format/, 'identifierValue', '+31612345678'],
	// Bird Channels: contacts
	['an upsert identifier that is only commas', 'bird', { identifierValue: '={{ "," }}' }, /^Identifier: "," holds no value between its commas/, 'identifierValue', '+31612345678'],
	['an upsert phone number that is not E.164', 'bird', { identifierValue: '0612345678' }, /^Identifier: "0612345678" is not a phone number in E\.164 format/, 'identifierValue', '+31612345678'],
	['an identifier to add that is not E.164', 'bird', { upsertOptions: { addIdentifiers: '+31612345678, 0612' } }, /^Options › Add Identifiers: "0612" is not a phone number/, 'upsertOptions.addIdentifiers', '+31612345678'],
	// A whole object mapped by mistake: named as an object, not read as "[object Object]".
	['identifiers to add that are objects', 'bird', { upsertOptions: { addIdentifiers: '={{ [{ key: "emailaddress", value: "a@b.co" }] }}' } }, /^Options › Add Identifiers: \{"key":"emailaddress","value":"a@b\.co"\} is an object, not text/, 'upsertOptions.addIdentifiers', '+31612345678'],
	['lists to join that are objects', 'bird', { upsertOptions: { addToLists: '={{ [{ id: "vip" }] }}' } }, /^Options › Add to Lists: \{"id":"vip"\} is an object, not text/, 'upsertOptions.addToLists', UUID_EXAMPLE],
	['a list to join that is not a list ID', 'bird', { upsertOptions: { addToLists: '={{ ["vip"] }}' } }, /^Options › Add to Lists: "vip" is not a list ID \(a UUID\)/, 'upsertOptions.addToLists', UUID_EXAMPLE],
	['11 lists to join', 'bird', { upsertOptions: { addToLists: `={{ ${JSON.stringify(Array.from({ length: 11 }, () => CONVERSATION_ID))} }}` } }, /^Options › Add to Lists: has 11 lists; Bird takes at most 10/, 'upsertOptions.addToLists', UUID_EXAMPLE],
	['an attribute without a key', 'bird', { attributes: { attribute: [{ key: '', value: 'x' }] } }, /^Attributes › Attribute 1 › Key: is required but empty/, 'attributes.attribute[0].key', 'firstName'],
	['an attribute whose value is an object', 'bird', { attributes: { attribute: [{ key: 'address', value: '={{ { city: "Utrecht" } }}' }] } }, /^Attributes › Attribute 1 › Value: .* is not text, a number, true\/false/, 'attributes.attribute[0].value', 'Jane'],
	['a new contact without a name', 'bird', { operation: 'create', displayName: '={{ "" }}' }, /^Display Name: is required but empty/, 'displayName', 'Jane Doe'],
	['a contact name over 150 characters', 'bird', { operation: 'create', displayName: 'n'.repeat(151) }, /^Display Name: is 151 characters long; at most 150/, 'displayName', 'Jane Doe'],
	['a contact ID that is not a UUID', 'bird', { operation: 'get', contactId: locator('={{ "jane" }}') }, /^Contact: "jane" is not a UUID/, 'contactId', UUID_EXAMPLE],
	['a contact by an email address without a domain', 'bird', { operation: 'delete', contactId: locator('jane@', 'identifier') }, /^Contact: "jane@" is not an email address/, 'contactId', 'jane@example.com'],
	['a contact by key:value without a value', 'bird', { operation: 'update', contactId: locator('telegramusername: ', 'identifier'), updateFields: { displayName: 'Jane' } }, /^Contact: "telegramusername: " has no value after its key/, 'contactId', 'telegramusername:jane'],
	['an update with nothing to change', 'bird', { operation: 'update', contactId: locator(CONVERSATION_ID) }, /^Update Fields: has nothing to change/, 'updateFields', 'Display Name: Jane Doe'],
	['a list ID that is not a UUID', 'bird', { operation: 'addToList', listId: locator('={{ "vip" }}'), contactId: locator(CONVERSATION_ID) }, /^List: "vip" is not a UUID/, 'listId', UUID_EXAMPLE],
	['Limit 0', 'bird', { operation: 'getAll', limit: 0 }, /^Limit: 0 is below the minimum of 1/, 'limit', '50'],
	['Limit 2.5', 'bird', { operation: 'getAll', limit: '={{ 2.5 }}' }, /^Limit: 2\.5 is not a whole number/, 'limit', '50'],
	// Bird Channels: messages and conversations
	['a message ID that is not a UUID', 'bird', { resource: 'message', operation: 'get', channelId: channel, messageId: locator('={{ "msg-1" }}') }, /^Message: "msg-1" is not a UUID/, 'messageId', UUID_EXAMPLE],
	['a message filter date that is not a date', 'bird', { resource: 'message', operation: 'getAll', channelId: channel, filters: { startAt: 'yesterday-ish' } }, /^Filters › Sent After: "yesterday-ish" is not a date and time/, 'filters.startAt', '2026-01-31T09:00:00Z'],
	// Date.parse reads both of these as days in 2001.
	['a message filter date that is a bare number', 'bird', { resource: 'message', operation: 'getAll', channelId: channel, filters: { startAt: '={{ 7 }}' } }, /^Filters › Sent After: "7" is not a date and time/, 'filters.startAt', '2026-01-31T09:00:00Z'],
	['a message filter date in loose text', 'bird', { resource: 'message', operation: 'getAll', channelId: channel, filters: { startAt: 'order 12' } }, /^Filters › Sent After: "order 12" is not a date and time/, 'filters.startAt', '2026-01-31T09:00:00Z'],
	['a time range that ends before it starts', 'bird', { resource: 'message', operation: 'getAll', channelId: channel, filters: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-01-01T00:00:00Z' } }, /^Filters › Sent Before: .* is not after Sent After/, 'filters.endAt', '2026-02-01'],
	['a message status Bird does not have', 'bird', { resource: 'message', operation: 'getAll', channelId: channel, filters: { status: '={{ "read" }}' } }, /^Filters › Status: "read" is not one of accepted/, 'filters.status', 'accepted'],
	['a conversation ID that is not a UUID (Bird Channels)', 'bird', { resource: 'conversation', operation: 'get', conversationId: locator('={{ "abc" }}') }, /^Conversation: "abc" is not a UUID/, 'conversationId', UUID_EXAMPLE],
	['a conversation update with nothing to change', 'bird', { resource: 'conversation', operation: 'update', conversationId: conversation }, /^Update Fields: has nothing to change/, 'updateFields', 'Status: Closed'],
	['a conversation status Bird does not have', 'bird', { resource: 'conversation', operation: 'update', conversationId: conversation, updateFields: { status: '={{ "archived" }}' } }, /^Update Fields › Status: "archived" is not one of active, closed/, 'updateFields.status', 'active'],
	['a participant ID that is not a UUID', 'bird', { resource: 'conversation', operation: 'addParticipant', conversationId: conversation, participantType: 'user', participantId: 'agent-7' }, /^Participant ID: "agent-7" is not a UUID/, 'participantId', UUID_EXAMPLE],
	['a conversation filter channel that is not a UUID', 'bird', { resource: 'conversation', operation: 'getAll', filters: { channelId: 'whatsapp' } }, /^Filters › Channel ID: "whatsapp" is not a UUID/, 'filters.channelId', UUID_EXAMPLE],
];

describe('bad input is rejected before any request, naming field, item and a valid example', () => {
	test.each(CASES)('%s (%s)', async (_name, node, parameters, message, path, example) => {
		const result = await runNode({ type: node, parameters: { ...BASE[node], ...parameters }, credentials: credentialsFor(server.url) });
		expect(server.requests).toHaveLength(0);
		// n8n's RoutingNode re-wraps a declarative node's NodeOperationError in a NodeApiError,
		// keeping its message, description and item index.
		expect(result.error?.name).toMatch(/^Node(Operation|Api)Error$/);
		expect(result.error?.message).toMatch(message);
		expect(result.error?.message).toMatch(/\(item 0\)$/);
		// n8n's error panel renders the description as HTML: lines are <br>-separated, values escaped.
		const description = plainText(result.error?.description ?? '');
		expect(description).toContain(`Parameter "${path}" of input item 0`);
		if (example) expect(description).toContain(`A valid value looks like: ${example}`);
		expect(JSON.stringify([result.outputs, result.error, result.error?.description])).not.toContain(ACCESS_KEY);
	});

	test("descriptions read well in n8n's error panel, which renders them as HTML: one line each, examples as text", async () => {
		const result = await runNode({ type: 'birdSendMessage', parameters: { ...BASE.birdSendMessage, messageType: 'html', html: '={{ "" }}', text: '={{ "" }}' }, credentials: credentialsFor(server.url) });
		expect(result.error?.description).toBe('Parameter "html" of input item 0: an email needs HTML, Plain Text or both.<br>A valid value looks like: &lt;p&gt;Hello&lt;/p&gt;');
	});

	test('every empty card field of a carousel is named in one error, not one run at a time', async () => {
		const card = { title: '={{ "" }}', mediaUrl: '={{ "" }}', linkText: '={{ "" }}', linkUrl: '={{ "" }}' };
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: { ...BASE.birdSendMessage, messageType: 'carousel', carouselCards: { card: [card, { ...card, title: 'Red' }] } },
			credentials: credentialsFor(server.url),
		});
		expect(server.requests).toHaveLength(0);
		expect(result.error?.message).toBe('7 fields need fixing: Cards › Card 1 › Title, Cards › Card 1 › Media URL, Cards › Card 1 › Link Text, Cards › Card 1 › Link URL and 3 more (item 0)');
		expect(plainText(result.error?.description ?? '').split('\n')).toEqual([
			'Parameter "carouselCards.card[0].title": is required but empty. For example: Blue sneakers',
			'Parameter "carouselCards.card[0].mediaUrl": is required but empty. For example: https://example.com/picture.jpg',
			'Parameter "carouselCards.card[0].linkText": is required but empty. For example: Buy now',
			'Parameter "carouselCards.card[0].linkUrl": is required but empty. For example: https://example.com/picture.jpg',
			'Parameter "carouselCards.card[1].mediaUrl": is required but empty. For example: https://example.com/picture.jpg',
			'Parameter "carouselCards.card[1].linkText": is required but empty. For example: Buy now',
			'Parameter "carouselCards.card[1].linkUrl": is required but empty. For example: https://example.com/picture.jpg',
		]);
	});

	test('the matrix covers every node with at least 20 cases', () => {
		expect(CASES.length).toBeGreaterThanOrEqual(20);
		expect(new Set(CASES.map(([, node]) => node))).toEqual(new Set(Object.keys(BASE)));
	});

	test.each(Object.keys(BASE))('%s: the error names the item that was wrong', async (node) => {
		const field = node === 'birdReply' ? { conversationId: '={{ $json.value }}' } : { identifierValue: '={{ $json.value }}' };
		const good = node === 'birdReply' ? CONVERSATION_ID : '+31600000001';
		const result = await runNode({
			type: node,
			parameters: { ...BASE[node], ...field },
			items: [{ value: good }, { value: 'call me' }],
			credentials: credentialsFor(server.url),
		});
		expect(result.error?.message).toMatch(/"call me" .*\(item 1\)$/);
		expect(result.error?.description).toContain('of input item 1');
	});
});
