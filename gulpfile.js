// Copies what tsc does not emit into dist/: the icons and each node's codex (.node.json).
const { src, dest } = require('gulp');

function copyAssets() {
	return src(['icons/**/*.svg', 'nodes/**/*.node.json'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports.build = copyAssets;
exports.default = copyAssets;
