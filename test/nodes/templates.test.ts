/**
 * Templates that fill themselves in (node version 1.1): once a template is picked, the editor
 * loads its versions, its locales and its variables (n8n's resource mapper) from Bird; a message
 * sends every variable, and one left empty is refused before anything is sent. Version 1 (saved
 * with 0.1.0) keeps its typed-in fields.
 */
import type { IDataObject, INodePropertyOptions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { SANDBOX } from '../../scripts/sandbox/server';
import { TEMPLATES } from '../../scripts/sandbox/templates';
import { loadOptions, runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

const ORDER = SANDBOX.templateProjectId;
const REMINDER = SANDBOX.reminderProjectId;
const OLDER_ORDER_VERSION = TEMPLATES[0].versions[1].id;
const picked = (projectId: string) => ({ __rl: true, mode: 'list', value: projectId });
/** The editor asks with the node's parameters, where a template is chosen (n8n drops hidden ones). */
const chosen = (projectId: string, more: IDataObject = {}) => ({ messageType: 'template', templateProjectId: picked(projectId), ...more });

/** The resource mapper's value as the editor saves it: the loaded fields and the values typed or mapped. */
function mapped(fields: ResourceMapperField[], value: IDataObject) {
	return { mappingMode: 'defineBelow', value, matchingColumns: [], schema: fields, attemptToConvertTypes: false, convertFieldsToString: false };
}

async function variablesOf(parameters: IDataObject, method = 'getTemplateVariables', type = 'birdSendMessage'): Promise<ResourceMapperField[]> {
	const loaded = (await loadOptions({ type, kind: 'resourceMapping', method, parameters, credentials: sandboxCredentials(sandbox) })) as ResourceMapperFields;
	return loaded.fields;
}

async function optionsOf(method: string, parameters: IDataObject, type = 'birdSendMessage'): Promise<INodePropertyOptions[]> {
	return (await loadOptions({ type, kind: 'loadOptions', method, parameters, credentials: sandboxCredentials(sandbox) })) as INodePropertyOptions[];
}

describe('what the editor loads once a template is picked', () => {
	test('Locale: the template’s locales, by name', async () => {
		expect(await optionsOf('getTemplateLocales', chosen(ORDER))).toEqual([
			{ name: 'English (en)', value: 'en' },
			{ name: 'Dutch (nl)', value: 'nl' },
		]);
		const reminder = await optionsOf('getTemplateLocales', chosen(REMINDER));
		expect(reminder.map((option) => option.value)).toEqual(['en', 'nl', 'pt-BR']);
		expect(reminder[2].name).toBe('Brazilian Portuguese (pt-BR)');
	});

	test('Version: Latest first (the default), then each version of the template', async () => {
		const versions = await optionsOf('getTemplateVersions', chosen(ORDER));
		expect(versions.map((option) => option.value)).toEqual(['', ...TEMPLATES[0].versions.map((version) => version.id)]);
		expect(versions[0].name).toBe('Latest (the Active Version)');
		expect(versions[1].name).toMatch(/^Active · 2026-01-15 · 0b7e3c2a$/);
		expect(versions[2].description).toBe('Variables: name, orderNumber');
	});

	test("Variables: every variable of the version that would be sent, required, typed; a version's own", async () => {
		expect(await variablesOf(chosen(REMINDER))).toEqual(
			['name', 'date', 'clinic'].map((id) => ({ id, displayName: id, required: true, defaultMatch: false, canBeUsedToMatch: false, display: true, type: 'string' })),
		);
		// n8n's editor shows a notice whatever the fields (Map Automatically too): a template with variables must not say it has none.
		const loaded = (await loadOptions({ type: 'birdSendMessage', kind: 'resourceMapping', method: 'getTemplateVariables', parameters: chosen(REMINDER), credentials: sandboxCredentials(sandbox) })) as ResourceMapperFields;
		expect(loaded.emptyFieldsNotice).toBeUndefined();
		expect((await variablesOf(chosen(ORDER))).map((field) => field.id)).toEqual(['name']);
		expect((await variablesOf(chosen(ORDER, { templateVersion: OLDER_ORDER_VERSION }))).map((field) => field.id)).toEqual(['name', 'orderNumber']);
	});

	test('nothing picked yet (or an expression): no request, a notice instead of fields', async () => {
		const loaded = (await loadOptions({
			type: 'birdReply',
			kind: 'resourceMapping',
			method: 'getTemplateVariables',
			parameters: { messageType: 'template', templateProjectId: { __rl: true, mode: 'id', value: '={{ $json.template }}' } },
			credentials: sandboxCredentials(sandbox),
		})) as ResourceMapperFields;
		expect(loaded.fields).toEqual([]);
		expect(loaded.emptyFieldsNotice).toMatch(/^Pick the template from the list or by ID first.*choose Map Automatically\.$/);
		expect(await optionsOf('getTemplateLocales', {})).toEqual([]);
		expect(sandbox.log).toEqual([]);
	});

	test("smart send's fallback template loads from its own picker", async () => {
		const smart = { messageType: 'text', ifWindowClosed: 'template', fallbackTemplateProjectId: picked(REMINDER) };
		const fields = await variablesOf(smart, 'getFallbackTemplateVariables', 'birdReply');
		expect(fields.map((field) => field.id)).toEqual(['name', 'date', 'clinic']);
		expect((await optionsOf('getFallbackTemplateLocales', smart, 'birdReply')).map((option) => option.value)).toEqual(['en', 'nl', 'pt-BR']);
	});
});

/** Sends a template with Send Message 1.1 to each item's phone. */
async function sendTemplate(template: IDataObject, items: IDataObject[]) {
	return await runNode({
		type: 'birdSendMessage',
		typeVersion: 1.1,
		parameters: { channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp }, identifierValue: '={{ $json.phone }}', messageType: 'template', templateLocale: 'en', ...template },
		items,
		credentials: sandboxCredentials(sandbox),
	});
}

/** Sends the reminder template, its variables loaded as the editor loads them. */
async function sendReminder(locale: string, values: IDataObject, items: IDataObject[]) {
	const fields = await variablesOf(chosen(REMINDER));
	sandbox.log.length = 0;
	return await sendTemplate({ templateProjectId: picked(REMINDER), templateLocale: locale, templateVariables: mapped(fields, values) }, items);
}

/** Sends a template to Joe with Send Message 1, as a workflow saved with 0.1.0 does. */
async function sendVersion1(template: IDataObject, continueOnFail = false) {
	return await runNode({
		type: 'birdSendMessage',
		parameters: { channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp }, identifierValue: SANDBOX.closedContact.phone, messageType: 'template', ...template },
		credentials: sandboxCredentials(sandbox),
		continueOnFail,
	});
}

describe('sending a template with loaded variables (version 1.1)', () => {
	test('Map Automatically, a template chosen by an expression: its variables read from Bird once, each value from the input field of the same name', async () => {
		const result = await sendTemplate(
			{
				templateProjectId: { __rl: true, mode: 'id', value: '={{ $json.template }}' },
				templateVariables: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
			},
			[
				{ phone: SANDBOX.closedContact.phone, template: REMINDER, name: 'Joe', date: '2 December', clinic: 'Zuid', unrelated: 'x' },
				{ phone: SANDBOX.openContact.phone, template: ORDER, name: 'Jane' },
				{ phone: SANDBOX.openContact.phone, template: REMINDER, name: 'Jane', date: 4, clinic: 'Noord' },
			],
		);
		expect(result.error).toBeUndefined();
		expect(sandbox.messages.map((message) => (message.template as IDataObject).parameters)).toEqual([
			[{ type: 'string', key: 'name', value: 'Joe' }, { type: 'string', key: 'date', value: '2 December' }, { type: 'string', key: 'clinic', value: 'Zuid' }],
			[{ type: 'string', key: 'name', value: 'Jane' }],
			[{ type: 'string', key: 'name', value: 'Jane' }, { type: 'string', key: 'date', value: '4' }, { type: 'string', key: 'clinic', value: 'Noord' }],
		]);
		// Each template read once (its project and its versions), whatever the number of items.
		const reads = sandbox.log.filter((entry) => entry.method === 'GET').map((entry) => entry.path.split('/').slice(3).join('/'));
		expect(reads.sort()).toEqual([`projects/${ORDER}`, `projects/${ORDER}/channel-templates`, `projects/${REMINDER}`, `projects/${REMINDER}/channel-templates`]);
	});

	test('Map Automatically: an input item without a variable’s field is refused before anything is sent', async () => {
		const fields = await variablesOf(chosen(REMINDER));
		sandbox.log.length = 0;
		const result = await sendTemplate({ templateProjectId: picked(REMINDER), templateVariables: { ...mapped(fields, {}), mappingMode: 'autoMapInputData', value: null } }, [
			{ phone: SANDBOX.openContact.phone, name: 'Jane', date: 'today', clinic: 'Zuid' },
			{ phone: SANDBOX.closedContact.phone, name: 'Joe', date: 'today' },
		]);
		expect(result.error?.message).toBe('Template Variables › clinic: the input item has no value in its field "clinic" (item 1)');
		expect(sandbox.log).toEqual([]);
	});

	test('Map Each Variable Manually with a template chosen by an expression: refused, pointing at Map Automatically', async () => {
		const result = await sendTemplate({ templateProjectId: { __rl: true, mode: 'id', value: `={{ "${REMINDER}" }}` }, templateVariables: mapped([], {}) }, [{ phone: SANDBOX.openContact.phone }]);
		expect(result.error?.message).toBe('Template Variables: cannot be loaded in the editor for a template chosen by an expression (item 0)');
		expect(result.error?.description).toContain('A valid value looks like: Map Automatically');
		expect(sandbox.log).toEqual([]);
	});

	test('every variable sent with its value, per item; Version empty means latest', async () => {
		const result = await sendReminder('={{ $json.locale }}', { name: '={{ $json.name }}', date: '={{ $json.date }}', clinic: 'Zuid' }, [
			{ phone: SANDBOX.closedContact.phone, name: 'Joe', date: '2 December', locale: 'en' },
			{ phone: SANDBOX.openContact.phone, name: 'Jane', date: '3 december', locale: 'nl' },
		]);
		expect(result.error).toBeUndefined();
		expect(sandbox.messages.map((message) => message.template)).toEqual([
			{ projectId: REMINDER, version: 'latest', locale: 'en', parameters: [{ type: 'string', key: 'name', value: 'Joe' }, { type: 'string', key: 'date', value: '2 December' }, { type: 'string', key: 'clinic', value: 'Zuid' }] },
			{ projectId: REMINDER, version: 'latest', locale: 'nl', parameters: [{ type: 'string', key: 'name', value: 'Jane' }, { type: 'string', key: 'date', value: '3 december' }, { type: 'string', key: 'clinic', value: 'Zuid' }] },
		]);
	});

	test('a variable left empty is refused before anything is sent, by name', async () => {
		const result = await sendReminder('en', { name: '={{ $json.name }}', date: '2 December', clinic: null }, [{ phone: SANDBOX.closedContact.phone, name: 'Joe' }]);
		expect(result.error?.message).toBe('Template Variables › clinic: is required but empty (item 0)');
		expect(result.error?.description).toContain('Parameter "templateVariables.value.clinic" of input item 0');
		expect(result.error?.description).toContain('A valid value looks like: a value for "clinic"');
		expect(sandbox.log).toEqual([]);
	});

	test('Bird (the sandbox) refuses what the node no longer lets through: a missing variable, a locale the template lacks', async () => {
		// Version 1's typed-in variables cannot know the template; Bird names what is wrong.
		const result = await sendVersion1({ templateProjectId: picked(REMINDER), templateLocale: 'fr', templateParameters: { parameter: [{ key: 'name', value: 'Joe', type: 'string' }] } }, true);
		const details = (result.outputs[0][0].json.errorDetails as IDataObject).details;
		expect(details).toEqual({
			'template.locale': ['the template has no locale "fr" (it has en, nl, pt-BR)'],
			'template.parameters': ['is missing the variable "date"', 'is missing the variable "clinic"'],
		});
	});

	test('version 1 (saved with 0.1.0) keeps its typed fields: key/value rows, Version and Locale as text', async () => {
		const result = await runNode({
			type: 'birdReply',
			parameters: {
				conversationId: String((await sandbox.inbound({ identifierValue: SANDBOX.closedContact.phone, late: true })).conversationId),
				participantId: SANDBOX.accessKeyId,
				messageType: 'template',
				templateProjectId: picked(ORDER),
				templateVersion: OLDER_ORDER_VERSION,
				templateLocale: 'nl',
				templateParameters: { parameter: [{ key: 'name', value: 'Joe' }, { key: 'orderNumber', value: '1234' }] },
				// A 1.1 field a 0.1.0 workflow cannot have: ignored in version 1.
				templateVariables: mapped([], {}),
			},
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.messages.find((message) => message.direction === 'outgoing')?.template).toEqual({
			projectId: ORDER,
			version: OLDER_ORDER_VERSION,
			locale: 'nl',
			parameters: [{ type: 'string', key: 'name', value: 'Joe' }, { type: 'string', key: 'orderNumber', value: '1234' }],
		});
	});

	test("version 1 without Version and Locale stored (they were at their defaults): still 'latest' and 'en'", async () => {
		const result = await sendVersion1({ templateProjectId: picked(ORDER), templateParameters: { parameter: [{ key: 'name', value: 'Joe' }] } });
		expect(result.error).toBeUndefined();
		expect(sandbox.messages[0].template).toMatchObject({ version: 'latest', locale: 'en' });
	});
});
