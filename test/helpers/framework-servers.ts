/**
 * The same small service written with each framework @gatehouse/verify adapts, listening on a
 * real port, as a service behind Gatehouse would be:
 *   GET /whoami                 authenticated: the principal
 *   GET /admin                  system role admin
 *   GET /organizers/:id/events  organizer role admin (owners too)
 *   GET /organizers/:id/read    any membership of the organizer
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import type { Principal, Verifier } from '@gatehouse/verify';
import { gatehouse as expressGuards } from '@gatehouse/verify/express';
import { gatehouse as fastifyGuards, gatehousePlugin } from '@gatehouse/verify/fastify';
import { gatehouse as honoGuards } from '@gatehouse/verify/hono';

export interface FrameworkServer {
  readonly name: 'fastify' | 'express' | 'hono';
  readonly url: string;
  close(): Promise<void>;
}

function view(principal: Principal | null | undefined): Record<string, unknown> {
  return { user_id: principal?.userId, roles: principal?.roles, organizers: principal?.organizers, source: principal?.source };
}

async function startFastify(verifier: Verifier): Promise<FrameworkServer> {
  const app = Fastify();
  await app.register(gatehousePlugin, { verifier });
  const guard = fastifyGuards(verifier);
  app.get('/whoami', { preHandler: guard.authenticate }, async (request) => view(request.gatehouse));
  app.get('/admin', { preHandler: guard.requireSystemRole('admin') }, async (request) => view(request.gatehouse));
  app.get('/organizers/:id/events', { preHandler: guard.requireOrganizerRole('id', 'admin') }, async (request) => view(request.gatehouse));
  app.get('/organizers/:id/read', { preHandler: guard.requireOrganizerRole('id') }, async (request) => view(request.gatehouse));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { name: 'fastify', url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

async function startExpress(verifier: Verifier): Promise<FrameworkServer> {
  const app = express();
  const guard = expressGuards(verifier);
  app.get('/whoami', guard.authenticate, (req, res) => void res.json(view(req.gatehouse)));
  app.get('/admin', guard.requireSystemRole('admin'), (req, res) => void res.json(view(req.gatehouse)));
  app.get('/organizers/:id/events', guard.requireOrganizerRole('id', 'admin'), (req, res) => void res.json(view(req.gatehouse)));
  app.get('/organizers/:id/read', guard.requireOrganizerRole('id'), (req, res) => void res.json(view(req.gatehouse)));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { name: 'express', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

async function startHono(verifier: Verifier): Promise<FrameworkServer> {
  const app = new Hono();
  const guard = honoGuards(verifier);
  app.get('/whoami', guard.authenticate, (c) => c.json(view(c.get('gatehouse'))));
  app.get('/admin', guard.requireSystemRole('admin'), (c) => c.json(view(c.get('gatehouse'))));
  app.get('/organizers/:id/events', guard.requireOrganizerRole('id', 'admin'), (c) => c.json(view(c.get('gatehouse'))));
  app.get('/organizers/:id/read', guard.requireOrganizerRole('id'), (c) => c.json(view(c.get('gatehouse'))));
  const server = await new Promise<Server>((resolve) => {
    const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening as Server));
  });
  return { name: 'hono', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

export const FRAMEWORKS = { fastify: startFastify, express: startExpress, hono: startHono } as const;
