// The console's build, served by the admin center (vite-app.ts).
import { appConfig } from '../vite-app';

export default appConfig(new URL('.', import.meta.url));
