/**
 * Bird's templates as the editor and the sending nodes read them. A template is a Studio
 * project: `GET /workspaces/{ws}/projects/{projectId}` gives its `locales` and `activeResourceId`
 * (the version "latest" sends); `GET …/projects/{projectId}/channel-templates` lists its versions
 * (`id`, `status`, `defaultLocale`, `variables[{key, type}]`).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { WORKSPACE_PATH } from './descriptions/node';
import type { BirdContext } from './transport/request';
import { birdRequest, readJson } from './transport/request';
import { PATTERNS } from './validation';

export interface TemplateVariable {
	key: string;
	type: string;
}

export interface TemplateVersion extends IDataObject {
	id: string;
	status?: string;
	defaultLocale?: string;
	variables?: Array<{ key?: string; type?: string }>;
	createdAt?: string;
}

export async function getProject(context: BirdContext, projectId: string, itemIndex?: number): Promise<IDataObject> {
	return readJson(context, await birdRequest(context, { method: 'GET', url: `${WORKSPACE_PATH}/projects/${encodeURIComponent(projectId)}` }, { itemIndex }), itemIndex);
}

export async function listVersions(context: BirdContext, projectId: string, itemIndex?: number): Promise<TemplateVersion[]> {
	const versions: TemplateVersion[] = [];
	let pageToken: string | undefined;
	do {
		const page = readJson(
			context,
			await birdRequest(
				context,
				{ method: 'GET', url: `${WORKSPACE_PATH}/projects/${encodeURIComponent(projectId)}/channel-templates`, qs: { limit: 100, ...(pageToken ? { pageToken } : {}) } },
				{ itemIndex },
			),
			itemIndex,
		);
		versions.push(...((page.results ?? []) as TemplateVersion[]).filter((version) => typeof version?.id === 'string'));
		pageToken = (page.nextPageToken as string | undefined) || undefined;
	} while (pageToken && versions.length < 1000);
	return versions;
}

/** The version a message with this Version sends: the chosen one, or the active one for "latest" (or empty). */
export function versionFor(versions: TemplateVersion[], project: IDataObject, version: unknown): TemplateVersion | undefined {
	if (typeof version === 'string' && PATTERNS.uuid.test(version)) return versions.find((candidate) => candidate.id === version);
	return (
		versions.find((candidate) => candidate.id === project.activeResourceId) ??
		versions.find((candidate) => candidate.status === 'active') ??
		versions[0]
	);
}

/** A version's variables, with Bird's type ("string" where Bird names none). */
export function variablesOf(version: TemplateVersion | undefined): TemplateVariable[] {
	return (version?.variables ?? [])
		.filter((variable) => typeof variable?.key === 'string' && variable.key)
		.map((variable) => ({ key: variable.key as string, type: typeof variable.type === 'string' && variable.type ? variable.type : 'string' }));
}

/** Per node execution: each template version's variables, read once. */
const loaded = new WeakMap<IExecuteFunctions, Map<string, Promise<TemplateVariable[] | undefined>>>();

/**
 * The variables of a template version, read from Bird during an execution (once per template
 * and version); undefined when the template has no such version.
 */
export async function templateVariables(context: IExecuteFunctions, projectId: string, version: string, itemIndex: number): Promise<TemplateVariable[] | undefined> {
	let cache = loaded.get(context);
	if (!cache) loaded.set(context, (cache = new Map()));
	const key = `${projectId}|${version}`;
	let variables = cache.get(key);
	if (!variables) {
		variables = Promise.all([getProject(context, projectId, itemIndex), listVersions(context, projectId, itemIndex)]).then(([project, versions]) => {
			const chosen = versionFor(versions, project, version);
			return chosen ? variablesOf(chosen) : undefined;
		});
		variables.catch(() => cache.delete(key));
		cache.set(key, variables);
	}
	return await variables;
}
