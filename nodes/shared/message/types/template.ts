import { compact, EXAMPLES, PATTERNS } from '../../validation';
import type { MessageType } from '../types';

export const template: MessageType = {
	value: 'template',
	name: 'Template',
	description: 'An approved template: the only kind WhatsApp delivers outside the 24-hour window',
	target: 'template',
	fields: [
		{
			displayName: 'Template',
			name: 'templateProjectId',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description: 'The Studio project that holds the template',
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
			displayName: 'Template Version',
			name: 'templateVersion',
			type: 'string',
			default: 'latest',
			description: 'Latest, or the UUID of one version of the template',
		},
		{
			displayName: 'Template Locale',
			name: 'templateLocale',
			type: 'string',
			default: 'en',
			placeholder: 'e.g. en, nl, pt-BR',
			description: 'The language of the template to send',
		},
		{
			displayName: 'Template Variables',
			name: 'templateParameters',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Variable' },
			default: {},
			placeholder: 'Add Variable',
			description: "Values for the template's variables",
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
	],
	build(input) {
		const projectId = input.uuid(
			input.raw('templateProjectId'),
			{ label: 'Template', path: 'templateProjectId' },
			{ required: true },
		);
		const version = input.param('templateVersion', 'Template Version', { example: 'latest' }) ?? 'latest';
		if (version !== 'latest' && !PATTERNS.uuid.test(version)) {
			input.fail(
				{ label: 'Template Version', path: 'templateVersion' },
				`"${version}" is neither "latest" nor a version UUID`,
				`latest, or ${EXAMPLES.uuid}`,
			);
		}
		const parameters = input.entries('templateParameters.parameter').map((entry, index) => {
			const at = (label: string, name: string) => ({
				label: `Template Variables › Variable ${index + 1} › ${label}`,
				path: `templateParameters.parameter[${index}].${name}`,
			});
			return {
				type: input.text(entry.type, at('Type', 'type')) ?? 'string',
				key: input.text(entry.key, at('Key', 'key'), { required: true, example: 'name' }),
				value: input.text(entry.value, at('Value', 'value')) ?? '',
			};
		});
		return compact({
			projectId,
			version,
			locale: input.param('templateLocale', 'Template Locale', { required: true, example: 'en' }),
			parameters: parameters.length ? parameters : undefined,
		});
	},
};
