// The configuration of one nginx hop of the sidecar pair: a single process (no master), every
// path inside `dir`, listening on 127.0.0.1:`port` and proxying with keep-alive to `upstreamPort`.
export function nginxConfig({ dir, name, port, upstreamPort }) {
  const p = (f) => `${dir}/${name}-${f}`;
  return `daemon off;
master_process off;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${p('body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  upstream next {
    server 127.0.0.1:${upstreamPort};
    keepalive 256;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://next;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}
