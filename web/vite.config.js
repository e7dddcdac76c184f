import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The build lands in web/dist, which `vipcare serve` serves from the same
// origin as the API (hash routes, so no server-side routing is needed).
// `npm run dev` proxies the API to a local `vipcare serve` on port 8080.
export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components are imported where used (smaller bundle than
    // app.use(ElementPlus)); their CSS comes whole from main.js.
    Components({ resolvers: [ElementPlusResolver({ importStyle: false })], dts: false }),
  ],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server knows only a few MIME types (src/http/server.cc): keep small
    // assets inline instead of emitting fonts or images it cannot type.
    assetsInlineLimit: 65536,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus'
          if (id.includes('node_modules/')) return 'vendor'
          return undefined
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
})
