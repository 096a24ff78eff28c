/**
 * The editor in a real browser: a real n8n with the packed package installed, Debian's chromium
 * driven by playwright-core, every request that is not to 127.0.0.1 blocked. Adds Send Message
 * the way a user does, switches Message Type through every option and checks which fields the
 * panel shows; adds Check Service Window and checks its two outputs on the canvas. Screenshots
 * go to .cache/screenshots (BIRD_SCREENSHOTS_DIR=docs/images refreshes the README's).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { ensureN8n, ensureOwner, installPackage, n8nInstance, packPackage, ROOT, startN8n, waitForReady } from '../../scripts/n8n';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(ROOT, process.env.BIRD_SCREENSHOTS_DIR ?? path.join('.cache', 'screenshots'));
const OWNER = { email: 'owner@example.com', firstName: 'Browser', lastName: 'Test', password: 'BirdSandbox1' };

/**
 * What the panel must show for each Message Type: the spec, written out here so that a wrong
 * displayOptions in the node fails the test (deriving it from the node would agree with any bug).
 */
const FIELDS: Record<string, { option: string; fields: string[] }> = {
	text: { option: 'Text', fields: ['text', 'actions', 'textOptions'] },
	image: { option: 'Image', fields: ['images', 'text', 'actions'] },
	file: { option: 'File', fields: ['files', 'text', 'actions'] },
	location: { option: 'Location', fields: ['latitude', 'longitude', 'locationAddress', 'locationLabel'] },
	list: { option: 'List', fields: ['text', 'listTitle', 'listButtonLabel', 'listRows'] },
	carousel: { option: 'Carousel', fields: ['carouselCards', 'text'] },
	template: { option: 'Template', fields: ['templateProjectId', 'templateVersion', 'templateLocale', 'templateParameters'] },
	html: { option: 'HTML (Email)', fields: ['emailSubject', 'html', 'text'] },
};
const ALL_TYPE_FIELDS = [...new Set(Object.values(FIELDS).flatMap((type) => type.fields))];

let n8n: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let userFolder: string;

async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
	mkdirSync(SHOTS, { recursive: true });
	const runtime = ensureN8n();
	userFolder = mkdtempSync(path.join(tmpdir(), 'n8n-bird-browser-'));
	installPackage(userFolder, packPackage());
	const port = await freePort();
	n8n = startN8n(n8nInstance(runtime, userFolder), port);
	n8n.stdout?.resume();
	n8n.stderr?.resume();
	const url = `http://127.0.0.1:${port}`;
	await waitForReady(url);
	expect(await ensureOwner(url, OWNER)).toBe(true);

	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	// Only this machine: the editor would otherwise ask the npm registry and others.
	await context.route('**/*', (route) =>
		['127.0.0.1', 'localhost'].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort(),
	);
	page = await context.newPage();
	const login = await page.request.post(`${url}/rest/login`, { data: { emailOrLdapLoginId: OWNER.email, password: OWNER.password } });
	expect(login.status()).toBe(200);
	await page.goto(`${url}/workflow/new`);
	await page.waitForSelector('[data-test-id=canvas-add-button]', { timeout: 60_000 });
}, 15 * 60_000);

afterAll(async () => {
	await browser?.close();
	if (n8n && n8n.exitCode === null) {
		const exited = new Promise((resolve) => n8n?.once('exit', resolve));
		n8n.kill('SIGTERM');
		await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
		n8n.kill('SIGKILL');
	}
	n8n?.stdout?.destroy();
	n8n?.stderr?.destroy();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

/** Adds a node of this package through the node creator, as a user would. */
async function addNode(opener: string, displayName: string) {
	await page.click(opener);
	await page.keyboard.type(displayName);
	await page.locator('[data-test-id=item-iterator-item]', { hasText: displayName }).first().click();
	// Community nodes first show their details, with an "Add to workflow" button.
	await page.getByRole('button', { name: 'Add to workflow' }).click();
	await page.waitForSelector('[data-test-id=ndv] [data-test-id=node-parameters]');
}

/** The top-level parameters the open node panel shows, by name. */
async function visibleParameters(): Promise<string[]> {
	return await page.$$eval('[data-test-id=node-parameters] [data-test-id=parameter-item] label[for]', (labels) =>
		labels.map((label) => label.getAttribute('for') ?? ''),
	);
}

test('Send Message: each Message Type shows its own fields and hides the others', async () => {
	await addNode('[data-test-id=canvas-add-button]', 'Bird: Send Message');
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
				return names.every((name) => document.querySelector(`[data-test-id=node-parameters] label[for="${name}"]`));
			},
			fields,
		);
		const visible = await visibleParameters();
		const wrongly = ALL_TYPE_FIELDS.filter((name) => !fields.includes(name) && visible.includes(name));
		expect({ type, shown: fields.filter((name) => visible.includes(name)), wrongly }).toEqual({ type, shown: fields, wrongly: [] });
		await page.waitForTimeout(400); // let the closing dropdown fade out of the screenshot
		await page.screenshot({ path: path.join(SHOTS, `send-message-${type}.png`) });
	}
	await page.click('[data-test-id=ndv-close-button]');
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
