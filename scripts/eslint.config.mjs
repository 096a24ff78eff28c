// Development scripts (the sandbox, npm start, the benchmark) are never published and run in
// Node, with its own modules and globals. They get TypeScript's recommended rules, not n8n's
// rules for shipped code (the root eslint.config.mjs, n8n's default). ESLint picks this file for
// scripts/ with the unstable_config_lookup_from_file flag that `npm run lint` sets (ESLint 10's
// default).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({
	files: ['**/*.ts'],
	extends: [js.configs.recommended, tseslint.configs.recommended],
	languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
	rules: { 'prefer-spread': 'off' },
});
