/**
 * Bird Channels Trigger version 2 checks whether a customer's typed message answers a Send and
 * Wait question (one read of the contact's messages). When that read fails, the message must not
 * be lost: Bird down or busy → 503, so that Bird delivers it again; Bird refusing the read for
 * good → the workflow starts with the message, as an ordinary one.
 */
import { SANDBOX } from '../../scripts/sandbox/server';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';
import { useTriggerHarness } from '../helpers/trigger';

const sandbox = useSandbox();
const harness = useTriggerHarness({}, () => ({ ...sandboxCredentials(sandbox), organizationId: SANDBOX.organizationId }));

beforeEach(async () => {
	for (const subscription of [...sandbox.webhooks.subscriptions]) sandbox.webhooks.remove(subscription.id);
	harness.typeVersion = 2;
	harness.parameters = { channelId: { __rl: true, mode: 'list', value: SANDBOX.channels.whatsapp }, events: ['inbound'], options: {} };
	harness.staticData.production = {};
	harness.started.length = 0;
	sandbox.webhooks.retryDelaysMs = [];
	await harness.hook('create');
});

const lastAttempt = () => sandbox.webhooks.deliveries.at(-1)?.attempts.at(-1);
const lookups = () => sandbox.log.filter((entry) => entry.method === 'GET' && entry.path.endsWith('/messages'));

test('Bird refuses the read for good (403: the key may not list messages): the message starts the workflow, answered 200', async () => {
	sandbox.faults.push({ mode: '403', count: 5 });
	await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, text: 'Where is my order?' });
	expect(lookups().map((entry) => entry.status)).toEqual([403]);
	expect(lastAttempt()?.status).toBe(200);
	expect(harness.started.map((items) => items[0].text)).toEqual(['Where is my order?']);
});

test('Bird down while the trigger reads (500 twice): answered 503 so that Bird delivers it again, and the next delivery starts it once', async () => {
	sandbox.faults.push({ mode: '500', count: 2 });
	await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, text: 'Hello?' });
	expect(lastAttempt()?.status).toBe(503);
	expect(harness.started).toHaveLength(0);
	const again = await sandbox.webhooks.redeliver();
	expect(again?.attempts.at(-1)?.status).toBe(200);
	expect(harness.started.map((items) => items[0].text)).toEqual(['Hello?']);
});
