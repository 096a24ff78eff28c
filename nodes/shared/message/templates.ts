/**
 * The fields of an approved template, defined once: for the Template message type and for smart
 * send's fallback template. Version 1 of the sending nodes (every workflow saved with 0.1.0) keeps
 * its fields as they were: Version and Locale typed in, Variables as key/value rows. From version
 * 1.1, Version and Locale are lists loaded from the chosen template, and Variables are loaded
 * from it too (n8n's resource mapper): every variable by name, required, typed.
 */
import type { IDataObject, INodeProperties, ResourceMapperValue } from 'n8n-workflow';

import { templateVariables } from '../templateCatalog';
import { EXAMPLES, PATTERNS } from '../validation';
import type { ItemInput } from '../validation';

export interface TemplateNames {
	projectId: string;
	version: string;
	locale: string;
	/** From version 1.1: the resource mapper. */
	variables: string;
	/** Version 1 only: key/value rows. */
	parameters?: string;
	/** How the fields are called in messages, e.g. "Template" or "Fallback Template". */
	label: string;
	/** The suffix of the methods that load this template's versions, locales and variables. */
	methods: 'Template' | 'FallbackTemplate';
}

export const TEMPLATE: TemplateNames = {
	projectId: 'templateProjectId',
	version: 'templateVersion',
	locale: 'templateLocale',
	variables: 'templateVariables',
	parameters: 'templateParameters',
	label: 'Template',
	methods: 'Template',
};

export const FALLBACK_TEMPLATE: TemplateNames = {
	projectId: 'fallbackTemplateProjectId',
	version: 'fallbackTemplateVersion',
	locale: 'fallbackTemplateLocale',
	variables: 'fallbackTemplateVariables',
	label: 'Fallback Template',
	methods: 'FallbackTemplate',
};

const V1 = { '@version': [1] };
const FROM_V1_1 = { '@version': [{ _cnd: { gte: 1.1 } }] };

/**
 * Bird's variable types that n8n's resource mapper has too; any other type is typed as text and
 * sent as "string" (the type Bird's examples use) when its value comes from the mapper.
 */
const SHARED_TYPES = new Set(['string', 'number', 'boolean']);
export const fieldTypeOf = (birdType: unknown) => {
	const type = String(birdType ?? '').toLowerCase();
	return (SHARED_TYPES.has(type) ? type : 'string') as 'string' | 'number' | 'boolean';
};

/** The template's fields, with `show` merged into each field's own conditions. */
export function templateFields(names: TemplateNames, show: IDataObject = {}): INodeProperties[] {
	const where = (own: IDataObject = {}) => ({ show: { ...own, ...show } }) as INodeProperties['displayOptions'];
	const loaded = `${names.projectId}.value`;
	// Fields that replaced version 1's are shown from version 1.1; a template that never had a
	// version 1 (the fallback template) shows them in every version.
	const replaced = names.parameters ? FROM_V1_1 : {};
	const fields: INodeProperties[] = [
		{
			displayName: names.label,
			name: names.projectId,
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: 'The Studio project that holds the template',
			displayOptions: where(),
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					placeholder: 'Select a template...',
					typeOptions: { searchListMethod: 'searchTemplates', searchable: true },
				},
				{
					displayName: 'By Project ID',
					name: 'id',
					type: 'string',
					placeholder: 'e.g. ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318',
					validation: [
						{
							type: 'regex',
							properties: {
								regex: PATTERNS.uuid.source,
								errorMessage: 'A project ID is a UUID, e.g. ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318',
							},
						},
					],
				},
			],
		},
		{
			displayName: `${names.label} Version`,
			name: names.version,
			type: 'options',
			typeOptions: { loadOptionsMethod: `get${names.methods}Versions`, loadOptionsDependsOn: [loaded] },
			// Empty is the list's first entry, "Latest": whatever version is active when the message goes out.
			default: '',
			description: 'Latest (the active version), or one version of the template',
			displayOptions: where(replaced),
		},
		{
			displayName: `${names.label} Locale`,
			name: names.locale,
			type: 'options',
			typeOptions: { loadOptionsMethod: `get${names.methods}Locales`, loadOptionsDependsOn: [loaded] },
			default: '',
			required: true,
			description: 'The language of the template to send, from the languages the template has',
			displayOptions: where(replaced),
		},
		{
			displayName: `${names.label} Variables`,
			name: names.variables,
			type: 'resourceMapper',
			noDataExpression: true,
			default: { mappingMode: 'defineBelow', value: null },
			typeOptions: {
				loadOptionsDependsOn: [loaded, names.version],
				resourceMapper: {
					resourceMapperMethod: `get${names.methods}Variables`,
					mode: 'add',
					valuesLabel: `${names.label} Variables`,
					fieldWords: { singular: 'variable', plural: 'variables' },
					addAllFields: true,
					multiKeyMatch: false,
					// Map Automatically: each variable from the input field of the same name (also for a template chosen by an expression).
					supportAutoMap: true,
					noFieldsError: 'This template has no variables.',
				},
			},
			displayOptions: where(replaced),
		},
	];
	if (!names.parameters) return fields;
	// Version 1: the fields as 0.1.0 had them.
	return [
		fields[0],
		{
			displayName: 'Template Version',
			name: names.version,
			type: 'string',
			default: 'latest',
			description: 'Latest, or the UUID of one version of the template',
			displayOptions: where(V1),
		},
		{
			displayName: 'Template Locale',
			name: names.locale,
			type: 'string',
			default: 'en',
			placeholder: 'e.g. en, nl, pt-BR',
			description: 'The language of the template to send',
			displayOptions: where(V1),
		},
		{
			displayName: 'Template Variables',
			name: names.parameters,
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Variable' },
			default: {},
			placeholder: 'Add Variable',
			description: "Values for the template's variables",
			displayOptions: where(V1),
			options: [
				{
					displayName: 'Variable',
					name: 'parameter',
					values: [
						{
							displayName: 'Key',
							name: 'key',
							type: 'string',
							default: '',
							placeholder: 'e.g. name',
							description: 'The variable name as defined in the template',
						},
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						{
							displayName: 'Type',
							name: 'type',
							type: 'string',
							default: 'string',
							description: 'The variable type as defined in the template; Bird documents "string"',
						},
					],
				},
			],
		},
		...fields.slice(1),
	];
}

/** Reads and checks a template's fields for one item: `{projectId, version, locale, parameters}`. */
export async function readTemplate(input: ItemInput, names: TemplateNames): Promise<IDataObject> {
	const projectId = input.uuid(input.raw(names.projectId), { label: names.label, path: names.projectId }, { required: true });
	const versionField = { label: `${names.label} Version`, path: names.version };
	// Empty (version 1.1's default, shown as "Latest") and "latest" both send the active version.
	const version = input.param(names.version, versionField.label, { example: 'latest' })?.trim() || 'latest';
	if (version !== 'latest' && !PATTERNS.uuid.test(version)) {
		input.fail(versionField, `"${version}" is neither "latest" nor a version UUID`, `latest, or ${EXAMPLES.uuid}`);
	}
	const legacy = names.parameters !== undefined && input.node.typeVersion < 1.1;
	const parameters = legacy ? legacyParameters(input, names.parameters as string) : await mappedParameters(input, names, projectId as string, version);
	const template: IDataObject = {
		projectId,
		version,
		locale: input.param(names.locale, `${names.label} Locale`, { required: true, example: 'en' }),
	};
	if (parameters.length) template.parameters = parameters;
	return template;
}

/** Version 1: the key/value rows as typed. */
function legacyParameters(input: ItemInput, path: string): IDataObject[] {
	return input.entries(`${path}.parameter`).map((entry, index) => {
		const at = (label: string, name: string) => ({
			label: `Template Variables › Variable ${index + 1} › ${label}`,
			path: `${path}.parameter[${index}].${name}`,
		});
		return {
			type: input.soft(() => input.text(entry.type, at('Type', 'type'))) ?? 'string',
			key: input.soft(() => input.text(entry.key, at('Key', 'key'), { required: true, example: 'name' })),
			value: input.soft(() => input.text(entry.value, at('Value', 'value'))) ?? '',
		};
	});
}

/** A variable's value as Bird takes it: text; an object is refused. */
function variableValue(input: ItemInput, value: unknown, field: { label: string; path: string }, key: string): string | undefined {
	if (value === undefined || value === null || String(value).trim() === '') return undefined;
	if (typeof value === 'object') input.fail(field, `must be text, a number or true/false, not ${Array.isArray(value) ? 'a list' : 'an object'}`, `a value for "${key}"`);
	return String(value);
}

/**
 * From version 1.1: every variable of the template, each required.
 * - Map Each Variable Manually: the variables loaded into the mapper in the editor, with the
 *   values typed or mapped there.
 * - Map Automatically: each variable from the input item's field of the same name. The variables
 *   are the ones loaded in the editor; for a template chosen by an expression, they are read from
 *   Bird during the execution (once per template and version).
 */
async function mappedParameters(input: ItemInput, names: TemplateNames, projectId: string, version: string): Promise<IDataObject[]> {
	const mapper = (input.raw(names.variables) ?? {}) as Partial<ResourceMapperValue>;
	const stored = input.node.parameters[names.projectId] as { value?: unknown } | string | undefined;
	const chosenByExpression = String(typeof stored === 'object' ? stored?.value : stored).startsWith('=');
	const label = `${names.label} Variables`;

	if (mapper.mappingMode === 'autoMapInputData') {
		let variables: Array<{ key: string; type: string }> | undefined =
			chosenByExpression || !mapper.schema?.length ? undefined : mapper.schema.map((field) => ({ key: field.id, type: String(field.type ?? 'string') }));
		if (!variables) {
			if (!input.context) throw new Error('Internal error: loading template variables needs the node execution');
			variables = await templateVariables(input.context, projectId, version, input.itemIndex);
			if (!variables) input.fail({ label: `${names.label} Version`, path: names.version }, `template ${projectId} has no version "${version}"`, 'latest');
		}
		const json = input.context?.getInputData()[input.itemIndex]?.json ?? {};
		return variables.map(({ key, type }) => {
			const field = { label: `${label} › ${key}`, path: `${names.variables} (Map Automatically: input field "${key}")` };
			const value = input.soft(() => {
				const found = variableValue(input, json[key], field, key);
				if (found === undefined) input.fail(field, `the input item has no value in its field "${key}"`, `an input field "${key}" with the value for the template's variable`);
				return found;
			});
			return { type: SHARED_TYPES.has(type) ? type : 'string', key, value };
		});
	}

	const schema = (mapper.schema ?? []).filter((field) => field.removed !== true);
	if (!schema.length && chosenByExpression) {
		input.fail(
			{ label, path: names.variables },
			'cannot be loaded in the editor for a template chosen by an expression',
			'Map Automatically, which fills each variable from the input field of the same name',
		);
	}
	const values = mapper.value ?? {};
	return schema.flatMap((field) => {
		const at = { label: `${label} › ${field.id}`, path: `${names.variables}.value.${field.id}` };
		const value = input.soft(() => {
			const given = variableValue(input, values[field.id], at, field.id);
			if (given === undefined && field.required) input.fail(at, 'is required but empty', `a value for "${field.id}"`);
			return given;
		});
		if (value === undefined) return [];
		return [{ type: field.type && SHARED_TYPES.has(field.type) ? field.type : 'string', key: field.id, value }];
	});
}
