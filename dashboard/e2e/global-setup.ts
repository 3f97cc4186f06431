// Runs once before the end-to-end tests: starts the product (./stack.ts) and hands its addresses
// and first admin to the test files; everything is torn down after.
import type { TestProject } from 'vitest/node';
import { startStack, stopStack, type Stack } from './stack';

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: Stack['apiUrl'];
    dashboardUrl: Stack['dashboardUrl'];
    adminEmail: Stack['adminEmail'];
    adminPassword: Stack['adminPassword'];
    adminSessionToken: Stack['adminSessionToken'];
  }
}

export async function setup(project: TestProject): Promise<void> {
  const stack = await startStack();
  project.provide('apiUrl', stack.apiUrl);
  project.provide('dashboardUrl', stack.dashboardUrl);
  project.provide('adminEmail', stack.adminEmail);
  project.provide('adminPassword', stack.adminPassword);
  project.provide('adminSessionToken', stack.adminSessionToken);
}

export const teardown = stopStack;
