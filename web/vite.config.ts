// Builds the dashboard into dist/, which `rmis serve --static web/dist` serves
// at /. In development (`npm run dev`), API calls go to a running server.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      output: {
        // ECharts and its renderer, zrender, in two files fetched side by side
        // once the page runs: the server compresses each file as it sends it,
        // so two arrive sooner than one of their size (docs/performance.md).
        manualChunks(id) {
          if (id.includes('node_modules/zrender') || id.includes('node_modules/tslib')) return 'zrender';
          if (id.includes('node_modules/echarts')) return 'echarts';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.RMIS_API ?? 'http://127.0.0.1:8080' },
  },
});
