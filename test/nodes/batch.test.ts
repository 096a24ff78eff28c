/**
 * Send Message in batch mode against the sandbox, which implements Bird's batch endpoint with
 * asynchronous validation: grouping by channel, 100 per request, one output per item in input
 * order, the read-back that turns a message Bird rejected into its item's error, a whole-batch
 * retry on 429, and no resend when the connection broke after sending.
 */
import type { IDataObject } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

async function sendInBatches(items: IDataObject[], parameters: IDataObject = {}, onError: 'continueRegularOutput' | 'stopWorkflow' = 'continueRegularOutput') {
	return await runNode({
		type: 'birdSendMessage',
		parameters: {
			channelId: { __rl: true, mode: 'id', value: '={{ $json.channel }}' },
			identifierValue: '={{ $json.to }}',
			messageType: 'text',
			text: '={{ $json.text }}',
			sendMode: 'batch',
			delivery: { retryDelay: 20, timeout: 2000 },
			...parameters,
		},
		items,
		credentials: sandboxCredentials(sandbox),
		onError,
	});
}

const phone = (n: number) => `+3161${String(n).padStart(7, '0')}`;
const sms = (n: number) => ({ channel: SANDBOX.channels.sms, to: phone(n), text: `sms ${n}` });
const whatsapp = (n: number) => ({ channel: SANDBOX.channels.whatsapp, to: phone(n), text: `whatsapp ${n}` });
const batchPosts = () => sandbox.log.filter((entry) => entry.method === 'POST' && entry.path.endsWith('/batch/messages'));

describe('Send Message: batch mode', () => {
	test('250 items over two channels: 100 per request per channel, one output per item in input order, validated', async () => {
		const items = Array.from({ length: 250 }, (_, n) => (n % 5 === 4 ? whatsapp(n) : sms(n)));
		// The WhatsApp recipients wrote first, so their windows are open and free-form text may go out.
		for (const item of items.filter((entry) => entry.channel === SANDBOX.channels.whatsapp)) await sandbox.inbound({ identifierValue: item.to });
		const result = await sendInBatches(items);
		expect(result.error).toBeUndefined();

		const posts = batchPosts();
		expect(posts.map((entry) => entry.path.split('/')[4])).toEqual([SANDBOX.channels.sms, SANDBOX.channels.sms, SANDBOX.channels.whatsapp]);
		expect(posts.every((entry) => entry.status === 202)).toBe(true);

		const [out] = result.outputs;
		expect(out).toHaveLength(250);
		expect(out.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(out.every((item) => item.json.validated === true && item.json.status === 'sent')).toBe(true);
		// Each output names its batch and its place in it, and is the message Bird made for that item.
		const byId = new Map(sandbox.messages.map((message) => [message.id, message]));
		out.forEach((item, n) => {
			const message = byId.get(String(item.json.id));
			expect(((message?.body as IDataObject).text as IDataObject).text).toBe(items[n].text);
			expect(message?.batchId).toBe(item.json.batchId);
		});
		const smsOutputs = out.filter((_, n) => items[n].channel === SANDBOX.channels.sms);
		expect(smsOutputs.slice(0, 3).map((item) => item.json.batchPosition)).toEqual([0, 1, 2]);
		expect(smsOutputs[100].json.batchPosition).toBe(0);
		expect(new Set(smsOutputs.map((item) => item.json.batchId)).size).toBe(2);
		// Delivered exactly once.
		expect(sandbox.messages.filter((message) => message.direction === 'outgoing')).toHaveLength(250);
	});

	test('a message Bird rejects when it validates the batch becomes its own error item; the rest of the batch is accepted', async () => {
		const to = (number: string, text: string) => ({ channel: SANDBOX.channels.whatsapp, to: number, text });
		const items = [
			to(SANDBOX.openContact.phone, 'for Jane'),
			to(SANDBOX.closedContact.phone, 'for Joe, whose window is closed'),
			to(SANDBOX.openContact.phone, 'for Jane again'),
		];
		const result = await sendInBatches(items);
		const [out] = result.outputs;
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json).toMatchObject({ status: 'sent', validated: true, batchPosition: 0 });
		expect(out[2].json).toMatchObject({ status: 'sent', validated: true, batchPosition: 2 });
		expect(out[1].json).toMatchObject({ ...items[1], error: expect.stringMatching(/^Bird rejected the message: body: The customer service window with \+31687654321 is closed/) });
		expect(batchPosts()).toHaveLength(1);
	});

	test('without waiting for validation, each item says its batch was accepted', async () => {
		const result = await sendInBatches([sms(1), sms(2)], { waitForValidation: false });
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ batchId: expect.any(String), batchPosition: 0, channelId: SANDBOX.channels.sms, status: 'accepted', validated: false, reference: expect.stringMatching(/^n8n-[0-9a-f]{10}-0$/), referenceSetByNode: true },
			{ batchId: expect.any(String), batchPosition: 1, channelId: SANDBOX.channels.sms, status: 'accepted', validated: false, reference: expect.stringMatching(/^n8n-[0-9a-f]{10}-1$/), referenceSetByNode: true },
		]);
		// The references the output names are the ones Bird got.
		const sent = sandbox.messages.filter((message) => message.direction === 'outgoing').map((message) => message.reference);
		expect(sent).toEqual(result.outputs[0].map((item) => item.json.reference));
		expect(sandbox.log.filter((entry) => entry.method === 'GET')).toHaveLength(0);
	});

	test('a 429 on a batch retries the whole batch; every message is accepted once', async () => {
		sandbox.faults.push({ mode: '429', count: 1, retryAfter: 0 });
		const items = Array.from({ length: 30 }, (_, n) => sms(n));
		const result = await sendInBatches(items, { waitForValidation: false });
		expect(result.outputs[0].every((item) => item.json.status === 'accepted')).toBe(true);
		expect(batchPosts().map((entry) => entry.status)).toEqual([429, 202]);
		expect(sandbox.messages.filter((message) => message.direction === 'outgoing')).toHaveLength(30);
	});

	test('a batch whose connection broke is never sent again: each of its items fails with "may have arrived"', async () => {
		sandbox.faults.push({ mode: 'reset', count: 1 });
		const result = await sendInBatches([sms(1), sms(2), sms(3)]);
		expect(batchPosts()).toHaveLength(1);
		const [out] = result.outputs;
		expect(out.map((item) => item.json.error)).toEqual(Array(3).fill(expect.stringMatching(/^The connection to Bird broke before it answered \(E\w+\); the message was not sent again$/)));
		expect((out[0].json.errorDetails as IDataObject).description).toMatch(/may have reached Bird/);
	});

	test('bad input fails only its own item, before anything is sent; its batch goes out without it', async () => {
		const items = [sms(1), { ...sms(2), to: '0612' }, sms(3)];
		const result = await sendInBatches(items);
		const [out] = result.outputs;
		expect(out[1].json.error).toMatch(/^Recipient: "0612" is not a phone number/);
		expect(out.filter((item) => item.json.validated === true).map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(sandbox.messages.filter((message) => message.direction === 'outgoing')).toHaveLength(2);
	});

	test('On Error Stop: bad input anywhere sends no batch at all', async () => {
		const result = await sendInBatches([sms(1), { ...sms(2), to: '0612' }], {}, 'stopWorkflow');
		expect(result.error?.message).toMatch(/"0612" .*\(item 1\)$/);
		expect(batchPosts()).toHaveLength(0);
	});
});
