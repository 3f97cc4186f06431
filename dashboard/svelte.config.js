import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export const config = {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Runes only in our components (legacy `export let` / `$:` fail to compile); libraries in
    // node_modules keep the mode they were written in.
    runes: ({ filename }) => (filename.split(/[/\\]/).includes('node_modules') ? undefined : true),
  },
  kit: {
    adapter: adapter(),
    typescript: {
      // The end-to-end tests live outside src/; svelte-check types them too.
      config: (tsconfig) => ({ ...tsconfig, include: [...tsconfig.include, '../e2e/**/*.ts'] }),
    },
  },
};

// SvelteKit and Vite load their config files through a default export: the one place our
// named-exports rule gives way.
export default config;
