// The customer window's build, served by the enforcer (vite-app.ts).
import { appConfig } from '../vite-app';

export default appConfig(new URL('.', import.meta.url));
