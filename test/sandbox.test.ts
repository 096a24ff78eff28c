/** The nodes against the local Bird sandbox (scripts/sandbox), which keeps state like Bird. */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../scripts/sandbox/server';
import { runNode } from './helpers/n8n';
import { sandboxCredentials, useSandbox } from './helpers/sandbox';

const sandbox = useSandbox();
const whatsapp = { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp };
const credentials = () => sandboxCredentials(sandbox);

async function run(type: string, parameters: IDataObject, items?: IDataObject[], continueOnFail = false) {
	return await runNode({ type, parameters, items, credentials: credentials(), continueOnFail });
}

describe('against the Bird sandbox', () => {
	test('inbound → check window → free-form reply when open, template when closed', async () => {
		const newcomer = '+31611112222';
		await sandbox.inbound({ identifierValue: newcomer, text: 'Where is my order?' });
		const items = [{ phone: newcomer }, { phone: SANDBOX.closedContact.phone }, { phone: '+31633334444' }];
		const check = await run('birdCheckServiceWindow', { channelId: whatsapp, identifierValue: '={{ $json.phone }}' }, items);
		const [open, closed] = check.outputs;
		expect(open.map((item) => item.json.phone)).toEqual([newcomer]);
		expect(closed.map((item) => item.json.phone)).toEqual([SANDBOX.closedContact.phone, '+31633334444']);
		expect((closed[1].json.serviceWindow as IDataObject).reason).toBe('unknownContact');

		const text = await run('birdSendMessage', { channelId: whatsapp, identifierValue: '={{ $json.phone }}', messageType: 'text', text: 'On its way!' }, open.map((item) => item.json));
		expect(text.error).toBeUndefined();
		const template = await run(
			'birdSendMessage',
			{
				channelId: whatsapp,
				identifierValue: '={{ $json.phone }}',
				messageType: 'template',
				templateProjectId: { __rl: true, mode: 'id', value: SANDBOX.templateProjectId },
				templateParameters: { parameter: [{ key: 'name', value: 'there', type: 'string' }] },
			},
			closed.map((item) => item.json),
		);
		expect(template.error).toBeUndefined();
		const outgoing = sandbox.messages.filter((message) => message.direction === 'outgoing');
		expect(outgoing.map((message) => [(message.receiver as { contacts: IDataObject[] }).contacts[0].identifierValue, message.body ? 'text' : 'template'])).toEqual([
			[newcomer, 'text'],
			[SANDBOX.closedContact.phone, 'template'],
			['+31633334444', 'template'],
		]);
	});

	test("a message handled late does not close the window that the customer's newer message opened", async () => {
		const customer = '+31611113333';
		const window = async () => {
			const check = await run('birdCheckServiceWindow', { channelId: whatsapp, identifierValue: customer });
			return check.outputs[0].length === 1 ? 'open' : 'closed';
		};
		await sandbox.inbound({ identifierValue: customer, text: 'Sent two days ago', late: true });
		expect(await window()).toBe('closed');
		await sandbox.inbound({ identifierValue: customer, text: 'Hi' });
		expect(await window()).toBe('open');
		await sandbox.inbound({ identifierValue: customer, text: 'Sent yesterday', late: true });
		expect(await window()).toBe('open');
	});

	test("a free-form message into a closed window is refused with Bird's explanation", async () => {
		const result = await run('birdSendMessage', { channelId: whatsapp, identifierValue: SANDBOX.closedContact.phone, messageType: 'text', text: 'Hi' });
		expect(result.error?.message).toMatch(/customer service window .* is closed: send a template/);
		expect(result.error?.description).toContain('Bird error code: ServiceWindowClosed');
	});

	test('create a conversation, then reply in it', async () => {
		const created = await run('birdCreateConversation', {
			channelId: whatsapp,
			identifierValue: SANDBOX.openContact.phone,
			conversationName: 'Order 1234',
			messageType: 'text',
			text: 'Hello, world!',
		});
		expect(created.error).toBeUndefined();
		const conversation = created.outputs[0][0].json;
		expect(conversation).toMatchObject({ name: 'Order 1234', status: 'active' });
		const reply = await run('birdReply', {
			conversationId: '={{ $json.id }}',
			participantId: 'f00dbabe-0000-4000-8000-000000000001',
			messageType: 'location',
			latitude: 52.3435942,
			longitude: 4.9091077,
		}, [conversation]);
		expect(reply.error).toBeUndefined();
		expect(reply.outputs[0][0].json).toMatchObject({ conversationId: conversation.id, status: 'accepted' });
		expect(sandbox.conversations.get(String(conversation.id))?.messages).toHaveLength(2);
	});

	test('faults: 429 with Retry-After, 503 and a reset before a read are retried; each message is stored once', async () => {
		sandbox.faults.push({ mode: '429', count: 2, retryAfter: 0 }, { mode: '503', count: 1 });
		const items = [1, 2, 3].map((n) => ({ n }));
		const result = await run('birdSendMessage', {
			channelId: whatsapp,
			identifierValue: SANDBOX.openContact.phone,
			messageType: 'text',
			text: '=Message {{ $json.n }}',
			delivery: { retryDelay: 5 },
		}, items);
		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(3);
		const texts = sandbox.messages.map((message) => (message.body as { text: { text: string } }).text.text).sort();
		expect(texts).toEqual(['Message 1', 'Message 2', 'Message 3']);
		expect(sandbox.log.filter((entry) => entry.status === 429 || entry.status === 503)).toHaveLength(3);
	});

	test('a reset while sending is not retried (the message may have arrived) and says so', async () => {
		sandbox.faults.push({ mode: 'reset', count: 1 });
		const result = await run('birdSendMessage', { channelId: whatsapp, identifierValue: SANDBOX.openContact.phone, messageType: 'text', text: 'Hi' }, [{}], true);
		expect(result.outputs[0][0].json.error).toBe('The connection to Bird broke before it answered (ECONNRESET); the message was not sent again');
		expect(sandbox.log.map((entry) => entry.status)).toEqual([0]);
	});

	test('the sandbox checks bodies like Bird: a 422 with per-field details', async () => {
		const response = await fetch(`${sandbox.url}/workspaces/${SANDBOX.workspaceId}/channels/${SANDBOX.channels.sms}/messages`, {
			method: 'POST',
			headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ receiver: { contacts: [{ identifierKey: 'phonenumber', identifierValue: '0612' }] }, body: { type: 'list', list: { items: [] } } }),
		});
		expect(response.status).toBe(422);
		expect(await response.json()).toEqual({
			code: 'InvalidPayload',
			message: 'The request did not pass validation',
			details: {
				'receiver.contacts[0].identifierValue': ['is not a valid E.164 phone number'],
				'body.list.text': ['is required'],
				'body.list.items': ['must have at least 1 entries'],
			},
		});
	});
});

describe("the sandbox's pre-signed upload refuses what storage refuses", () => {
	const api = (path: string, body: unknown) =>
		fetch(`${sandbox.url}/workspaces/${SANDBOX.workspaceId}${path}`, {
			method: 'POST',
			headers: { authorization: `AccessKey ${SANDBOX.accessKey}`, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
	const form = (fields: Array<[string, string]>, file = true) => {
		const data = new FormData();
		for (const [name, value] of fields) data.append(name, value);
		if (file) data.append('file', new Blob(['%PDF'], { type: 'application/pdf' }), 'a.pdf');
		return data;
	};

	test('fields changed, reordered or missing, the file not last, an Authorization header, an expired slot', async () => {
		const presign = async () => (await (await api('/channel-media/presigned-upload', { contentType: 'application/pdf' })).json()) as { uploadUrl: string; mediaUrl: string; uploadFormData: Record<string, string> };
		const upload = async (body: FormData, headers: Record<string, string> = {}) => {
			const { uploadUrl } = await presign();
			return (await fetch(uploadUrl, { method: 'POST', body, headers })).status;
		};
		const { uploadFormData: fields } = await presign();
		const entries = Object.entries(fields);
		expect(await upload(form(entries), { authorization: `AccessKey ${SANDBOX.accessKey}` })).toBe(400);
		expect(await upload(form([...entries].reverse()))).toBe(403);
		expect(await upload(form(entries.slice(1)))).toBe(403);
		expect(await upload(form(entries.map(([name, value]) => [name, name === 'Policy' ? `${value}x` : value])))).toBe(403);
		const fileFirst = new FormData();
		fileFirst.append('file', new Blob(['%PDF'], { type: 'application/pdf' }), 'a.pdf');
		for (const [name, value] of entries) fileFirst.append(name, value);
		expect(await upload(fileFirst)).toBe(400);

		// The form as handed out, the file last: stored once, and its URL can be sent.
		const good = await presign();
		const body = form(Object.entries(good.uploadFormData));
		expect((await fetch(good.uploadUrl, { method: 'POST', body })).status).toBe(204);
		// Again (a retry after a broken connection), as S3 allows; then the slot expires.
		expect((await fetch(good.uploadUrl, { method: 'POST', body: form(Object.entries(good.uploadFormData)) })).status).toBe(204);
		sandbox.media.uploads.get(good.uploadUrl.split('/').pop()!)!.expired = true;
		expect((await fetch(good.uploadUrl, { method: 'POST', body: form(Object.entries(good.uploadFormData)) })).status).toBe(403);
		const message = (mediaUrl: string) => ({
			receiver: { contacts: [{ identifierKey: 'phonenumber', identifierValue: '+31600000001' }] },
			body: { type: 'file', file: { files: [{ mediaUrl, contentType: 'application/pdf' }] } },
		});
		expect((await api(`/channels/${SANDBOX.channels.sms}/messages`, message(good.mediaUrl))).status).toBe(202);
		// A media URL handed out but never uploaded to: Bird would have no file to send.
		const unused = await presign();
		const refused = await api(`/channels/${SANDBOX.channels.sms}/messages`, message(unused.mediaUrl));
		expect(refused.status).toBe(422);
		expect(((await refused.json()) as { details: Record<string, string[]> }).details).toEqual({
			'body.file.files[0].mediaUrl': ['was handed out, but no file was uploaded to it'],
		});
	});
});
