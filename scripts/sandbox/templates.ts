/**
 * The sandbox's message templates (Bird's Studio projects of type channelTemplate): each with its
 * locales and versions, each version with its variables. A template message is checked as Bird
 * does before it sends one: a known project, one of its locales, an existing version, and a value
 * for every variable of that version.
 */
type Json = Record<string, unknown>;

export interface SandboxTemplate {
	project: Json & { id: string; locales: string[]; activeResourceId: string };
	versions: Array<Json & { id: string; status: string; variables: Array<{ key: string; type: string }> }>;
}

const at = '2026-01-15T09:00:00.000Z';

export const TEMPLATES: SandboxTemplate[] = [
	{
		project: {
			id: 'ce6a2fd6-b2fa-4f5a-a2cd-f3bd15883318',
			name: 'Order update',
			type: 'channelTemplate',
			status: 'active',
			supportedPlatforms: ['whatsapp', 'sms'],
			locales: ['en', 'nl'],
			activeResourceId: '0b7e3c2a-1d4f-4e6a-9b8c-5d2e1f0a3b4c',
		},
		versions: [
			{ id: '0b7e3c2a-1d4f-4e6a-9b8c-5d2e1f0a3b4c', status: 'active', defaultLocale: 'en', variables: [{ key: 'name', type: 'string' }], createdAt: at },
			{ id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', status: 'inactive', defaultLocale: 'en', variables: [{ key: 'name', type: 'string' }, { key: 'orderNumber', type: 'string' }], createdAt: '2025-11-02T10:00:00.000Z' },
		],
	},
	{
		project: {
			id: 'd4c3b2a1-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
			name: 'Appointment reminder',
			type: 'channelTemplate',
			status: 'active',
			supportedPlatforms: ['whatsapp'],
			locales: ['en', 'nl', 'pt-BR'],
			activeResourceId: '7f6e5d4c-3b2a-4198-8776-655443322110',
		},
		versions: [
			{
				id: '7f6e5d4c-3b2a-4198-8776-655443322110',
				status: 'active',
				defaultLocale: 'en',
				variables: [
					{ key: 'name', type: 'string' },
					{ key: 'date', type: 'string' },
					{ key: 'clinic', type: 'string' },
				],
				createdAt: at,
			},
		],
	},
];

export function findTemplate(projectId: string): SandboxTemplate | undefined {
	return TEMPLATES.find((template) => template.project.id === projectId);
}

/** What is wrong with a message's `template` (at `path`), as 422 details; empty when it can be sent. */
export function templateProblems(template: Json, path: string): Record<string, string[]> {
	const found = findTemplate(String(template.projectId));
	if (!found) return { [`${path}.projectId`]: ['is not a template project of this workspace'] };
	const problems: Record<string, string[]> = {};
	if (!found.project.locales.includes(String(template.locale))) {
		problems[`${path}.locale`] = [`the template has no locale "${String(template.locale)}" (it has ${found.project.locales.join(', ')})`];
	}
	const version = template.version === 'latest' ? found.versions.find((candidate) => candidate.id === found.project.activeResourceId) : found.versions.find((candidate) => candidate.id === template.version);
	if (!version) return { ...problems, [`${path}.version`]: ['is not a version of this template'] };
	const given = new Map(((template.parameters ?? []) as Json[]).map((parameter) => [String(parameter.key), parameter.value]));
	const missing = version.variables.filter((variable) => given.get(variable.key) === undefined || String(given.get(variable.key)).trim() === '');
	if (missing.length) problems[`${path}.parameters`] = missing.map((variable) => `is missing the variable "${variable.key}"`);
	return problems;
}
