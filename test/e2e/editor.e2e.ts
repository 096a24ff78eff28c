/**
 * The editor in a real browser: a real n8n with the packed package installed, Debian's chromium
 * driven by playwright-core, every request that is not to 127.0.0.1 blocked. Adds Send Message
 * the way a user does, switches Message Type through every option and checks which fields the
 * panel shows; adds Check Service Window and checks its two outputs on the canvas; finds Bird
 * Trigger in the trigger panel; plays a customer in the sandbox's chat view and sees the active
 * example workflow answer. Screenshots go to .cache/screenshots (BIRD_SCREENSHOTS_DIR=docs/images
 * refreshes the README's).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { importInto, ROOT } from '../../scripts/n8n';
import { BirdSandbox, SANDBOX } from '../../scripts/sandbox/server';
import type { RunningN8n } from './n8n-server';
import { publishExample } from './n8n-with-sandbox';
import { eventually, OWNER, startN8nServer } from './n8n-server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.BIRD_SCREENSHOTS_DIR ?? path.join('.cache', 'screenshots'));
const ACTIVE_EXAMPLE = 'birdAnswerInbox1';

/**
 * What the panel must show for each Message Type: the spec, written out here so that a wrong
 * displayOptions in the node fails the test (deriving it from the node would agree with any bug).
 */
const FIELDS: Record<string, { option: string; fields: string[] }> = {
	text: { option: 'Text', fields: ['text', 'actions', 'textOptions', 'ifWindowClosed'] },
	image: { option: 'Image', fields: ['images', 'text', 'actions', 'ifWindowClosed'] },
	file: { option: 'File', fields: ['files', 'text', 'actions', 'ifWindowClosed'] },
	location: { option: 'Location', fields: ['latitude', 'longitude', 'locationAddress', 'locationLabel', 'ifWindowClosed'] },
	list: { option: 'List', fields: ['text', 'listTitle', 'listButtonLabel', 'listRows', 'ifWindowClosed'] },
	carousel: { option: 'Carousel', fields: ['carouselCards', 'text', 'ifWindowClosed'] },
	// A new node is version 1.1: Version and Locale are lists, Variables load from the template
	// into n8n's resource mapper (which has no label; "resource-mapper" stands for it).
	template: { option: 'Template', fields: ['templateProjectId', 'templateVersion', 'templateLocale', 'resource-mapper'] },
	html: { option: 'HTML (Email)', fields: ['emailSubject', 'html', 'text', 'ifWindowClosed'] },
};
const ALL_TYPE_FIELDS = [...new Set(Object.values(FIELDS).flatMap((type) => type.fields))];

const sandbox = new BirdSandbox();
let n8n: RunningN8n;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
	mkdirSync(SHOTS, { recursive: true });
	await sandbox.start();
	n8n = await startN8nServer({
		prepare: async (instance) => {
			await publishExample(instance, sandbox.url, 'answer-incoming-messages.json');
			const example = (file: string) => JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as unknown;
			await importInto(instance, 'workflow', [example('confirm-the-appointment.json'), example('agent-human-review.json')]);
		},
	});

	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	// Only this machine: the editor would otherwise ask the npm registry and others.
	await context.route('**/*', (route) =>
		['127.0.0.1', 'localhost'].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort(),
	);
	page = await context.newPage();
	const login = await page.request.post(`${n8n.url}/rest/login`, { data: { emailOrLdapLoginId: OWNER.email, password: OWNER.password } });
	expect(login.status()).toBe(200);
	await page.goto(`${n8n.url}/workflow/new`);
	await page.waitForSelector('[data-test-id=canvas-add-button]', { timeout: 60_000 });
}, 15 * 60_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	await sandbox.stop();
});

/** Opens the node creator and types into its search, once it is there to receive the keys. */
async function search(opener: string, text: string) {
	await page.click(opener);
	const input = page.locator('input[data-test-id=node-creator-search-bar]');
	await input.waitFor();
	await input.fill(text);
}

/**
 * Adds a node of this package through the node creator, as a user would: a node with
 * operations lists them as actions (`action` picks one), one without shows its details with an
 * "Add to workflow" button.
 */
async function addNode(opener: string, displayName: string, action?: string) {
	await search(opener, displayName);
	await page.locator('[data-test-id=item-iterator-item]', { hasText: displayName }).first().click();
	if (action) await page.locator('[data-test-id=item-iterator-item]', { hasText: action }).first().click();
	const add = page.getByRole('button', { name: 'Add to workflow' });
	await Promise.race([add.waitFor({ timeout: 10_000 }).then(() => add.click()), page.waitForSelector('[data-test-id=ndv] [data-test-id=node-parameters]', { timeout: 10_000 })]).catch(() => undefined);
	await page.waitForSelector('[data-test-id=ndv] [data-test-id=node-parameters]');
}

/** The top-level parameters the open node panel shows, by name; a resource mapper as "resource-mapper". */
async function visibleParameters(): Promise<string[]> {
	const labelled = await page.$$eval('[data-test-id=node-parameters] [data-test-id=parameter-item] label[for]', (labels) =>
		labels.map((label) => label.getAttribute('for') ?? ''),
	);
	const mappers = await page.locator('[data-test-id=node-parameters] [data-test-id=resource-mapper-container]').count();
	return mappers ? [...labelled, 'resource-mapper'] : labelled;
}

test('Send Message: each Message Type shows its own fields and hides the others', async () => {
	await addNode('[data-test-id=canvas-add-button]', 'Bird: Send Message', 'Send a message');
	expect(await visibleParameters()).toEqual(expect.arrayContaining(['channelId', 'identifierValue', 'messageType', 'options', 'delivery']));

	await page.click('[data-test-id=parameter-input-messageType]');
	await page.locator('.el-select-dropdown__item:visible').first().waitFor();
	const offered = await page.locator('.el-select-dropdown__item:visible').count();
	expect(offered).toBe(Object.keys(FIELDS).length);
	await page.keyboard.press('Escape');

	for (const [type, { option, fields }] of Object.entries(FIELDS)) {
		await page.click('[data-test-id=parameter-input-messageType]');
		// Each option shows its name and, below it, its description.
		await page.locator('.el-select-dropdown__item:visible').filter({ has: page.getByText(option, { exact: true }) }).click();
		await page.waitForFunction(
			(names) => {
				// Runs in the page; the tests are type-checked without the DOM library.
				const { document } = globalThis as unknown as { document: { querySelector(selector: string): unknown } };
				return names.every((name) =>
					document.querySelector(name === 'resource-mapper' ? '[data-test-id=node-parameters] [data-test-id=resource-mapper-container]' : `[data-test-id=node-parameters] label[for="${name}"]`),
				);
			},
			fields,
		);
		const visible = await visibleParameters();
		const wrongly = ALL_TYPE_FIELDS.filter((name) => !fields.includes(name) && visible.includes(name));
		expect({ type, shown: fields.filter((name) => visible.includes(name)), wrongly }).toEqual({ type, shown: fields, wrongly: [] });
		if (type === 'html') {
			// As an email reads: Subject, then HTML, then the plain-text part, labelled as such.
			expect(visible.filter((name) => ['emailSubject', 'html', 'text'].includes(name))).toEqual(['emailSubject', 'html', 'text']);
			await page.locator('[data-test-id=node-parameters] label[for="text"]', { hasText: 'Plain Text (Optional)' }).waitFor();
		}
		await page.waitForTimeout(400); // let the closing dropdown fade out of the screenshot
		await page.screenshot({ path: path.join(SHOTS, `send-message-${type}.png`) });
	}
	await page.click('[data-test-id=ndv-close-button]');
}, 120_000);

/** Picks an option of an options parameter by its name as the dropdown shows it. */
async function choose(parameter: string, option: string) {
	await page.click(`[data-test-id=parameter-input-${parameter}]`);
	await page.locator('.el-select-dropdown__item:visible').filter({ has: page.getByText(option, { exact: true }) }).click();
}

/**
 * Opens an options parameter whose options load from Bird, and waits until they have: the
 * editor fetches them when the template changes, and a click during the fetch opens nothing.
 */
async function openLoadedOptions(parameter: string, expected: string) {
	const items = page.locator('.el-select-dropdown__item:visible');
	for (let attempt = 0; ; attempt++) {
		await page.click(`[data-test-id=parameter-input-${parameter}]`);
		try {
			await items.filter({ hasText: expected }).first().waitFor({ timeout: 5_000 });
			return items;
		} catch (error) {
			if (attempt === 5) throw error;
			await page.keyboard.press('Escape');
			await page.waitForTimeout(500);
		}
	}
}

test('File from binary data: the Source switch shows the binary field instead of the URL', async () => {
	await page.goto(`${n8n.url}/workflow/new`);
	await page.waitForSelector('[data-test-id=canvas-add-button]', { timeout: 60_000 });
	await addNode('[data-test-id=canvas-add-button]', 'Bird: Send Message', 'Send a message');
	await choose('messageType', 'File');
	const input = (name: string) => page.locator(`[data-test-id=ndv] [data-test-id=parameter-input-${name}]`);
	await input('mediaUrl').waitFor();
	expect(await input('binaryProperty').count()).toBe(0);
	await choose('source', 'Binary From the Input Item');
	await input('binaryProperty').waitFor();
	expect(await input('mediaUrl').count()).toBe(0);
	expect(await input('contentType').count()).toBe(0);
	expect(await input('binaryContentType').count()).toBe(1);
	await input('filename').scrollIntoViewIfNeeded();
	await page.waitForTimeout(400);
	await page.screenshot({ path: path.join(SHOTS, 'send-message-binary.png') });
	await page.click('[data-test-id=ndv-close-button]');
}, 120_000);

test('Template: picking one loads its locales, versions and variables from Bird', async () => {
	await page.goto(`${n8n.url}/workflow/new`);
	await page.waitForSelector('[data-test-id=canvas-add-button]', { timeout: 60_000 });
	await addNode('[data-test-id=canvas-add-button]', 'Bird: Send Message', 'Send a message');
	await choose('messageType', 'Template');
	await page.click('[data-test-id=parameter-input-templateProjectId] [data-test-id=rlc-input]');
	await page.locator('[data-test-id=rlc-item]', { hasText: 'Appointment reminder' }).click();

	const locales = await openLoadedOptions('templateLocale', 'English (en)');
	expect((await locales.allTextContents()).map((text) => text.trim())).toEqual(['English (en)', 'Dutch (nl)', 'Brazilian Portuguese (pt-BR)']);
	await locales.filter({ hasText: 'Dutch (nl)' }).click();

	await page.waitForTimeout(400); // the locale list fades out
	const versions = await openLoadedOptions('templateVersion', 'Latest (the Active Version)');
	expect(await versions.count()).toBe(2);
	await page.keyboard.press('Escape');

	// The resource mapper lists the chosen template's variables, by name.
	const ndv = page.locator('[data-test-id=ndv]');
	for (const variable of ['name', 'date', 'clinic']) await ndv.getByText(variable, { exact: true }).first().waitFor({ timeout: 30_000 });
	await ndv.getByText('clinic', { exact: true }).first().scrollIntoViewIfNeeded();
	await page.waitForTimeout(400);
	await page.screenshot({ path: path.join(SHOTS, 'send-message-template-variables.png') });
	// Map Automatically: n8n shows the loader's notice whatever the fields, so a template with variables must not claim to have none.
	await page.locator('[data-test-id=ndv] [data-test-id=mapping-mode-select]').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: 'Map Automatically' }).click();
	await page.waitForTimeout(800);
	expect(await ndv.getByText('This template has no variables').count()).toBe(0);
	await page.screenshot({ path: path.join(SHOTS, 'send-message-template-map-automatically.png') });
	await page.click('[data-test-id=ndv-close-button]');
}, 120_000);

test('Polish: channels listed with platform names, a recipient example per identifier, a notice on HTML, an empty required field marked, the canvas subtitle in words', async () => {
	await page.goto(`${n8n.url}/workflow/new`);
	await page.waitForSelector('[data-test-id=canvas-add-button]', { timeout: 60_000 });
	await addNode('[data-test-id=canvas-add-button]', 'Bird: Send Message', 'Send a message');
	await page.click('[data-test-id=parameter-input-channelId] [data-test-id=rlc-input]');
	const channels = page.locator('[data-test-id=rlc-item]');
	await channels.first().waitFor();
	const names = (await channels.allTextContents()).map((text) => text.trim());
	expect(names).toEqual([
		expect.stringContaining('Support WhatsApp · WhatsApp'),
		expect.stringContaining('Alerts SMS · SMS'),
		expect.stringContaining('Newsletter email · Email'),
	]);
	expect(names.join(' ')).not.toMatch(/messagebird|sparkpost/);
	await channels.filter({ hasText: 'Newsletter email' }).click();

	// The recipient's example follows the identifier type.
	const recipient = page.locator('[data-test-id=parameter-input-identifierValue] input, [data-test-id=parameter-input-identifierValue] textarea').first();
	expect(await recipient.getAttribute('placeholder')).toMatch(/\+31/);
	await choose('identifierKey', 'Email Address');
	await eventually('the email example', async () => ((await recipient.getAttribute('placeholder'))?.includes('@') ? true : undefined), 10_000);

	await choose('messageType', 'HTML (Email)');
	await page.getByText('HTML messages go to email channels').waitFor();
	// Required and still empty: n8n refuses to run the step, names the parameter, and marks its field.
	await page.locator('[data-test-id=ndv] [data-test-id=node-execute-button]').first().click();
	await page.getByText('Parameter "Recipient" is required.').waitFor();
	expect(await page.locator('[data-test-id=ndv] .parameter-item:has(label[for="identifierValue"]) [data-test-id=parameter-issues]').count()).toBe(1);
	// Subject, HTML and the plain-text part are optional for an HTML email: only the recipient is marked.
	expect(await page.locator('[data-test-id=ndv] [data-test-id=parameter-issues]').count()).toBe(1);
	await page.screenshot({ path: path.join(SHOTS, 'send-message-required.png') });
	await page.click('[data-test-id=ndv-close-button]');
	const node = page.locator('[data-test-id=canvas-node]', { hasText: 'Bird: Send Message' });
	await eventually('the subtitle "Send HTML email"', async () => ((await node.innerText()).includes('Send HTML email') ? true : undefined), 10_000);
}, 120_000);

test('Check Service Window: two outputs on the canvas, Open and Closed', async () => {
	if (await page.locator('[data-test-id=ndv-close-button]').isVisible()) await page.click('[data-test-id=ndv-close-button]');
	await addNode('[data-test-id=node-creator-plus-button]', 'Bird: Check Service Window');
	await page.screenshot({ path: path.join(SHOTS, 'check-service-window-panel.png') });
	await page.click('[data-test-id=ndv-close-button]');
	const node = page.locator('[data-test-id=canvas-node]', { hasText: 'Bird: Check Service Window' });
	await expect(node.locator('[data-test-id=canvas-node-output-handle]').count()).resolves.toBe(2);
	const labels = await node.locator('[data-test-id=canvas-node-output-handle]').allTextContents();
	expect(labels.map((label) => label.trim())).toEqual(['Open', 'Closed']);
	await page.click('[data-test-id=zoom-to-fit]');
	await page.waitForTimeout(500);
	await page.screenshot({ path: path.join(SHOTS, 'canvas.png') });
}, 120_000);

test('Bird Trigger: in the trigger panel when searching "Bird", with its events and channel', async () => {
	await page.goto(`${n8n.url}/workflow/new`);
	await search('[data-test-id=canvas-add-button]', 'Bird');
	// The trigger panel lists "Bird Trigger" as "Bird" (n8n drops the suffix there), with its description.
	const found = page.locator('[data-test-id=item-iterator-item]', { hasText: 'Starts the workflow when a Bird channel receives a message' });
	await found.first().waitFor();
	expect((await found.first().textContent())?.trim()).toMatch(/^Bird\b/);
	await page.screenshot({ path: path.join(SHOTS, 'trigger-search.png') });
	await found.first().click();
	// n8n lists the Events options as the trigger's actions ("On message received", ...).
	const events = page.locator('[data-test-id=item-iterator-item]', { hasText: /^On / });
	await events.first().waitFor();
	expect((await events.allTextContents()).map((text) => text.trim())).toEqual([
		'On message received',
		'On message status updated',
		'On message interaction',
		'On conversation created',
		'On conversation updated',
	]);
	await page.screenshot({ path: path.join(SHOTS, 'trigger-events.png') });
	await events.first().click();
	await page.waitForSelector('[data-test-id=ndv] [data-test-id=node-parameters]');
	expect(await visibleParameters()).toEqual(expect.arrayContaining(['channelId', 'events', 'options']));
	await page.waitForTimeout(400);
	await page.screenshot({ path: path.join(SHOTS, 'bird-trigger-panel.png') });

	// "Test this trigger": Bird (the sandbox) gets a subscription for n8n's test URL, and the next event shows up.
	await page.click('[data-test-id=parameter-input-channelId] [data-test-id=rlc-input]');
	await page.locator('[data-test-id=rlc-item]', { hasText: 'Support WhatsApp' }).click();
	const production = new Set(sandbox.webhooks.subscriptions.map((subscription) => subscription.id));
	await page.getByRole('button', { name: /test this trigger|listen for test event/i }).click();
	const testSubscription = async () => sandbox.webhooks.subscriptions.find((subscription) => subscription.url.includes('/webhook-test/'));
	for (let waited = 0; !(await testSubscription()) && waited < 30_000; waited += 250) await page.waitForTimeout(250);
	expect(await testSubscription()).toMatchObject({ event: 'whatsapp.inbound', eventFilters: [{ key: 'channelId', value: SANDBOX.channels.whatsapp }] });
	await sandbox.inbound({ identifierValue: '+31655500077', text: 'Testing the trigger' });
	await page.locator('[data-test-id=ndv]', { hasText: 'Testing the trigger' }).first().waitFor({ timeout: 30_000 });
	await page.screenshot({ path: path.join(SHOTS, 'bird-trigger-test-event.png') });
	for (let waited = 0; (await testSubscription()) && waited < 30_000; waited += 250) await page.waitForTimeout(250);
	expect(await testSubscription()).toBeUndefined();
	expect(sandbox.webhooks.subscriptions.map((subscription) => subscription.id).filter((id) => production.has(id))).toHaveLength(production.size);
}, 180_000);

test('the sandbox chat view: Jane writes, the active example workflow answers in her chat, and the run shows in the editor', async () => {
	const chat = await context.newPage();
	await chat.goto(`${sandbox.url}/_sandbox?contact=${SANDBOX.openContact.id}`);
	await chat.waitForSelector('#contact option', { state: 'attached' });
	await chat.fill('#text', 'Hi');
	await chat.click('#compose button');
	const answer = chat.locator('.bubble.business');
	await answer.first().waitFor({ timeout: 30_000 });
	expect(await answer.first().textContent()).toContain(`Hi ${SANDBOX.openContact.name}, thanks for your message "Hi"`);
	await chat.waitForTimeout(1200);
	await chat.screenshot({ path: path.join(SHOTS, 'sandbox-chat.png') });
	// The deliveries table shows n8n's real answer to Bird, not "firstEntryJson".
	const answers = await chat.locator('#deliveries td:nth-child(4)').allTextContents();
	expect(answers.some((text) => text.includes('"received":true'))).toBe(true);
	expect(answers.join(' ')).not.toContain('firstEntryJson');
	// After a bulk send, the customer list holds the seeded customers and whoever wrote in, not every number that was sent to.
	const customers = await chat.locator('#contact option').count();
	for (let n = 0; n < 30; n++) sandbox.businessMessage({ channelId: SANDBOX.channels.sms, to: `+3161000${String(n).padStart(4, '0')}`, body: { type: 'text', text: { text: 'bulk' } } });
	await chat.reload();
	await chat.waitForSelector('#contact option', { state: 'attached' });
	expect(await chat.locator('#contact option').count()).toBe(customers);
	// A message handled 25 hours late shows its date, so it does not read as the newest.
	await chat.click('#late');
	await chat.fill('#text', 'Sent yesterday');
	await chat.click('#compose button');
	const late = chat.locator('.bubble.customer', { hasText: 'Sent yesterday' }).locator('small');
	await late.waitFor();
	expect(await late.textContent()).toMatch(/\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}/);
	await chat.close();

	await page.goto(`${n8n.url}/workflow/${ACTIVE_EXAMPLE}/executions`);
	await page.locator('[data-test-id=canvas-node]', { hasText: 'Answer' }).first().waitFor({ timeout: 60_000 });
	await page.waitForTimeout(1500);
	await page.screenshot({ path: path.join(SHOTS, 'trigger-execution.png') });
}, 180_000);

test('Send and Wait: the example asks Jane, the execution waits in the editor, her tap in the chat resumes it; a link opens the approval page', async () => {
	await page.goto(`${n8n.url}/workflow/birdConfirmAppt1`);
	await page.locator('[data-test-id=canvas-node]', { hasText: 'Ask Jane' }).first().waitFor({ timeout: 60_000 });
	await page.waitForTimeout(1000);
	await page.locator('[data-test-id=execute-workflow-button]').first().click();
	const question = await eventually('the question to Jane', () =>
		sandbox.messages.find((message) => message.direction === 'outgoing' && String(message.reference ?? '').startsWith('n8n-wait:a:')),
	60_000);
	await page.waitForTimeout(1500);
	await page.screenshot({ path: path.join(SHOTS, 'send-and-wait-waiting.png') });

	const payload = String(((((question.body as { text: { actions: Array<{ postback: { payload: string } }> } }).text.actions)[0]).postback.payload));
	const approvalPage = await context.newPage();
	await approvalPage.goto(payload);
	await approvalPage.getByText('Hi Jane, can you confirm your appointment').waitFor();
	await approvalPage.screenshot({ path: path.join(SHOTS, 'send-and-wait-approval-page.png') });
	await approvalPage.close();

	const chat = await context.newPage();
	await chat.goto(`${sandbox.url}/_sandbox?contact=${SANDBOX.openContact.id}`);
	const yes = chat.locator('.taps button', { hasText: '✓ Yes' }).last();
	await yes.waitFor({ timeout: 30_000 });
	await chat.screenshot({ path: path.join(SHOTS, 'sandbox-chat-buttons.png') });
	await yes.click();
	await chat.locator('.bubble.business', { hasText: 'Great, see you on Tuesday at 10:00!' }).waitFor({ timeout: 60_000 });
	await chat.waitForTimeout(800);
	await chat.screenshot({ path: path.join(SHOTS, 'sandbox-chat-answered.png') });
	await chat.close();
}, 240_000);

test('Bird Channels: Contact › Get, the contact found by typing in the search', async () => {
	// Into a workflow that has its trigger (an empty one offers triggers first). n8n lists the node and
	// Bird Channels Trigger as one app, "Bird Channels"; the node's operations are its actions.
	await page.goto(`${n8n.url}/workflow/birdConfirmAppt1`);
	await page.locator('[data-test-id=canvas-node]', { hasText: 'Ask Jane' }).first().waitFor({ timeout: 60_000 });
	await addNode('[data-test-id=node-creator-plus-button]', 'Bird Channels', 'Get a contact');
	expect(await visibleParameters()).toEqual(expect.arrayContaining(['resource', 'operation']));
	await page.click('[data-test-id=parameter-input-contactId] [data-test-id=rlc-input]');
	await page.locator('[data-test-id=rlc-search]').fill('Jane');
	await page.locator('[data-test-id=rlc-item]', { hasText: 'Jane' }).first().waitFor({ timeout: 30_000 });
	await page.screenshot({ path: path.join(SHOTS, 'bird-channels-contact.png') });
	await page.locator('[data-test-id=rlc-item]', { hasText: 'Jane' }).first().click();
	await page.click('[data-test-id=ndv-close-button]');
}, 180_000);

test("AI Agent with human review: Send Message is the agent's tool and, as n8n's human review step, the manager's approval before it", async () => {
	await page.goto(`${n8n.url}/workflow/birdAgentReview1`);
	for (const name of ['AI Agent', 'Ask the manager', 'Send SMS']) await page.locator('[data-test-id=canvas-node]', { hasText: name }).first().waitFor({ timeout: 60_000 });
	// n8n knows both node types (a node it does not know is drawn with a question mark and no connections).
	const review = page.locator('[data-test-id=canvas-node]', { hasText: 'Ask the manager' }).first();
	await review.dblclick();
	await page.waitForSelector('[data-test-id=ndv] [data-test-id=node-parameters]');
	expect(await visibleParameters()).toEqual(expect.arrayContaining(['channelId', 'identifierValue', 'message']));
	await page.click('[data-test-id=ndv-close-button]');
	await page.click('[data-test-id=zoom-to-fit]');
	await page.waitForTimeout(600);
	await page.screenshot({ path: path.join(SHOTS, 'agent-human-review.png') });
}, 120_000);
