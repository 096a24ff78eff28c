/**
 * What the editor loads once a template is picked: its versions, its locales and its variables
 * (for n8n's resource mapper). The same loaders serve the Template message type and smart send's
 * fallback template; only the parameter names differ (see message/templates.ts). Bird's side is
 * in templateCatalog.ts.
 */
import type { ILoadOptionsFunctions, INodePropertyOptions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import type { TemplateNames } from '../message/templates';
import { FALLBACK_TEMPLATE, fieldTypeOf, TEMPLATE } from '../message/templates';
import { getProject, listVersions, variablesOf, versionFor } from '../templateCatalog';
import { PATTERNS } from '../validation';

/** A parameter as the editor holds it; undefined when it is an expression that needs input data. */
function parameter(context: ILoadOptionsFunctions, name: string): unknown {
	try {
		// Not n8n's extractValue: it refuses a parameter its display conditions hide.
		const value = context.getNodeParameter(name, '');
		return value && typeof value === 'object' ? (value as { value?: unknown }).value : value;
	} catch {
		return undefined;
	}
}

/** The picked template's project ID, or undefined while none (or an expression) is picked. */
function projectIdOf(context: ILoadOptionsFunctions, names: TemplateNames): string | undefined {
	const value = parameter(context, names.projectId);
	return typeof value === 'string' && PATTERNS.uuid.test(value.trim()) ? value.trim() : undefined;
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
				description: `Variables: ${variablesOf(version).map((variable) => variable.key).join(', ') || 'none'}`,
			})),
		];
	};
}

function localesLoader(names: TemplateNames) {
	return async function (this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const projectId = projectIdOf(this, names);
		if (!projectId) return [];
		const project = await getProject(this, projectId);
		const locales = new Set(((project.locales ?? []) as unknown[]).filter((locale): locale is string => typeof locale === 'string'));
		if (!locales.size) {
			const chosen = versionFor(await listVersions(this, projectId), project, parameter(this, names.version));
			if (chosen?.defaultLocale) locales.add(chosen.defaultLocale);
		}
		return [...locales].map((locale) => ({ name: localeName(locale), value: locale }));
	};
}

function variablesLoader(names: TemplateNames) {
	return async function (this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
		const projectId = projectIdOf(this, names);
		if (!projectId) {
			return {
				fields: [],
				emptyFieldsNotice: `Pick the ${names.label.toLowerCase()} from the list or by ID first: its variables load from it. For a template chosen by an expression, choose Map Automatically.`,
			};
		}
		const [project, versions] = await Promise.all([getProject(this, projectId), listVersions(this, projectId)]);
		const fields = variablesOf(versionFor(versions, project, parameter(this, names.version))).map(
			(variable): ResourceMapperField => ({
				id: variable.key,
				displayName: variable.key,
				// Bird documents no optional variables: a template renders every one it has.
				required: true,
				defaultMatch: false,
				canBeUsedToMatch: false,
				display: true,
				type: fieldTypeOf(variable.type),
			}),
		);
		// n8n shows the notice whatever the fields (with Map Automatically too): only a template without variables gets it.
		return fields.length ? { fields } : { fields, emptyFieldsNotice: 'This template has no variables: nothing to fill in.' };
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
