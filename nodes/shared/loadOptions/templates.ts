/**
 * What the editor loads once a template is picked: its versions, its locales and its variables
 * (for n8n's resource mapper). The same loaders serve the Template message type and smart send's
 * fallback template; only the parameter names differ (see message/templates.ts).
 *
 * Bird: `GET /workspaces/{ws}/projects/{projectId}` is the template's Studio project (`locales`,
 * `activeResourceId`: the version "latest" sends), and `GET …/projects/{projectId}/channel-templates`
 * lists its versions (`id`, `status`, `defaultLocale`, `variables[{key, type}]`).
 */
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import { WORKSPACE_PATH } from '../descriptions/node';
import type { TemplateNames } from '../message/templates';
import { FALLBACK_TEMPLATE, fieldTypeOf, TEMPLATE } from '../message/templates';
import { birdRequest, readJson } from '../transport/request';
import { PATTERNS } from '../validation';

interface ChannelTemplate extends IDataObject {
	id: string;
	status?: string;
	defaultLocale?: string;
	variables?: Array<{ key?: string; type?: string; description?: string }>;
	createdAt?: string;
}

/** The picked template's project ID, or undefined while none (or an expression) is picked. */
function projectIdOf(context: ILoadOptionsFunctions, names: TemplateNames): string | undefined {
	let value: unknown;
	try {
		// Not n8n's extractValue: it refuses a parameter its display conditions hide.
		value = context.getNodeParameter(names.projectId, '');
	} catch {
		// An expression that needs input data: the editor has none to load from.
		return undefined;
	}
	if (value && typeof value === 'object') value = (value as { value?: unknown }).value;
	return typeof value === 'string' && PATTERNS.uuid.test(value.trim()) ? value.trim() : undefined;
}

async function getProject(context: ILoadOptionsFunctions, projectId: string): Promise<IDataObject> {
	return readJson(context, await birdRequest(context, { method: 'GET', url: `${WORKSPACE_PATH}/projects/${encodeURIComponent(projectId)}` }));
}

async function listVersions(context: ILoadOptionsFunctions, projectId: string): Promise<ChannelTemplate[]> {
	const versions: ChannelTemplate[] = [];
	let pageToken: string | undefined;
	do {
		const page = readJson(
			context,
			await birdRequest(context, {
				method: 'GET',
				url: `${WORKSPACE_PATH}/projects/${encodeURIComponent(projectId)}/channel-templates`,
				qs: { limit: 100, ...(pageToken ? { pageToken } : {}) },
			}),
		);
		versions.push(...((page.results ?? []) as ChannelTemplate[]));
		pageToken = (page.nextPageToken as string | undefined) || undefined;
	} while (pageToken && versions.length < 1000);
	return versions;
}

/** The version a message with this Version parameter sends: the chosen one, or the active one for "latest". */
function versionFor(versions: ChannelTemplate[], project: IDataObject, version: unknown): ChannelTemplate | undefined {
	if (typeof version === 'string' && PATTERNS.uuid.test(version)) return versions.find((candidate) => candidate.id === version);
	return (
		versions.find((candidate) => candidate.id === project.activeResourceId) ??
		versions.find((candidate) => candidate.status === 'active') ??
		versions[0]
	);
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
function localeName(locale: string): string {
	try {
		const name = languageNames.of(locale);
		return name && name !== locale ? `${name} (${locale})` : locale;
	} catch {
		return locale;
	}
}

function versionsLoader(names: TemplateNames) {
	return async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		// Value '' is the field's default; the message says "latest" for it.
		const latest = { name: 'Latest (the Active Version)', value: '', description: 'Whatever version is active when the message is sent' };
		const projectId = projectIdOf(this, names);
		if (!projectId) return [latest];
		const [project, versions] = await Promise.all([getProject(this, projectId), listVersions(this, projectId)]);
		return [
			latest,
			...versions.map((version) => ({
				name: [version.id === project.activeResourceId ? 'Active' : version.status ?? 'version', version.createdAt?.slice(0, 10), version.id.slice(0, 8)]
					.filter(Boolean)
					.join(' · '),
				value: version.id,
				description: `Variables: ${(version.variables ?? []).map((variable) => variable.key).join(', ') || 'none'}`,
			})),
		];
	};
}

function localesLoader(names: TemplateNames) {
	return async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const projectId = projectIdOf(this, names);
		if (!projectId) return [];
		const project = await getProject(this, projectId);
		const locales = new Set(((project.locales ?? []) as string[]).filter((locale) => typeof locale === 'string'));
		if (!locales.size) {
			const chosen = versionFor(await listVersions(this, projectId), project, this.getNodeParameter(names.version, 'latest'));
			if (chosen?.defaultLocale) locales.add(chosen.defaultLocale);
		}
		return [...locales].sort().map((locale) => ({ name: localeName(locale), value: locale }));
	};
}

function variablesLoader(names: TemplateNames) {
	return async function (this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
		const projectId = projectIdOf(this, names);
		if (!projectId) return { fields: [], emptyFieldsNotice: `Pick the ${names.label.toLowerCase()} first: its variables load from it.` };
		const [project, versions] = await Promise.all([getProject(this, projectId), listVersions(this, projectId)]);
		const chosen = versionFor(versions, project, this.getNodeParameter(names.version, 'latest'));
		const fields = (chosen?.variables ?? [])
			.filter((variable) => typeof variable.key === 'string' && variable.key)
			.map(
				(variable): ResourceMapperField => ({
					id: variable.key as string,
					displayName: variable.key as string,
					// Bird documents no optional variables: a template renders every one it has.
					required: true,
					defaultMatch: false,
					canBeUsedToMatch: false,
					display: true,
					type: fieldTypeOf(variable.type),
				}),
			);
		return { fields, emptyFieldsNotice: 'This template has no variables: nothing to fill in.' };
	};
}

export const templateLoadOptions = {
	getTemplateVersions: versionsLoader(TEMPLATE),
	getTemplateLocales: localesLoader(TEMPLATE),
	getFallbackTemplateVersions: versionsLoader(FALLBACK_TEMPLATE),
	getFallbackTemplateLocales: localesLoader(FALLBACK_TEMPLATE),
};

export const templateResourceMapping = {
	getTemplateVariables: variablesLoader(TEMPLATE),
	getFallbackTemplateVariables: variablesLoader(FALLBACK_TEMPLATE),
};
