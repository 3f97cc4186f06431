/**
 * The reference catalog: its keys are the message keys, and `en.ts` must define exactly the same
 * ones (a missing or extra key fails `pnpm typecheck`). Placeholders look like `{name}`.
 */
export const ptBR = {
  'app.name': 'StreamLeads',
  'app.skipToContent': 'Pular para o conteúdo',
  'nav.label': 'Navegação principal',
  'nav.overview': 'Visão geral',
  'nav.leads': 'Leads',
  'nav.settings': 'Configurações',
  'language.label': 'Idioma',
  'language.pt-BR': 'Português (Brasil)',
  'language.en': 'English',
  'connection.lost': 'API inacessível — reconectando…',
  'overview.title': 'Visão geral',
  'overview.empty':
    'Aqui aparecerão os indicadores do funil (leads recebidos, quentes, mornos e frios, automações executadas) e os gráficos, atualizados ao vivo assim que os primeiros leads chegarem.',
  'apiStatus.label': 'Status da API',
  'apiStatus.checking': 'Verificando a API…',
  'apiStatus.ok': 'API respondendo (versão {version})',
  'apiStatus.error': 'API sem resposta: {reason}',
  'leadClass.HOT': 'Quente',
  'leadClass.WARM': 'Morno',
  'leadClass.COLD': 'Frio',
  'leadClass.PROCESSING': 'Em processamento',
  'chart.empty': 'Ainda não há dados para mostrar.',
  'chart.legend': 'Legenda',
  'chart.total': 'Total',
  'chart.period': 'Período',
  'chart.leads': 'Leads',
  'chart.scoreRange': 'Faixa de pontuação',
  'chart.item': '{label}: {value}',
  'chart.leadsOverTime.summary': '{total} leads de {from} a {to}: {classes}.',
  'chart.bars.summaryWithTotal': '{title}, {total} no total: {items}.',
  'chart.bars.summary': '{title}: {items}.',
  'chart.histogram.summary': '{total} leads por faixa de pontuação: {items}.',
  'kpi.loading': 'Carregando…',
  'kpi.error': 'Não foi possível carregar',
  'kpi.up': 'Alta de {change}',
  'kpi.down': 'Queda de {change}',
  'kpi.unchanged': 'Sem variação',
  'leads.title': 'Leads',
  'leads.empty':
    'Aqui aparecerá a lista de leads com filtros por temperatura (quente, morno, frio), origem e data, assim que a busca de leads estiver disponível.',
  'settings.title': 'Configurações',
  'settings.empty':
    'Aqui aparecerão as regras de pontuação e as automações (Slack, WhatsApp, e-mail), editáveis sem reiniciar o sistema.',
  'signIn.title': 'Entrar',
  'signIn.empty': 'O acesso com e-mail e senha aparecerá aqui quando as contas forem ativadas.',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof ptBR;

export type Messages = Record<MessageKey, string>;
