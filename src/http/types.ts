import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Access } from '../services/authorize.ts';
import type { ServiceContext } from '../services/context.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    ctx: ServiceContext;
  }
  interface FastifyInstance {
    pimConfig: Config;
    /** Every mounted route with its declared access, for the route-walking tests and docs. */
    routeTable: RouteInfo[];
  }
}

/** The Fastify instance routes are mounted on (TypeBox schemas type the handlers). */
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface RouteInfo {
  method: string;
  url: string;
  access: Access;
  hasBody: boolean;
  bodySchema?: unknown;
}
