namespace HrmsAttendance.AppHost.Dashboard.Pages;

/// <summary>
/// The pages' only script, inlined. Live parts of a page are server-rendered fragments that the
/// script re-fetches (so all HTML encoding stays in C#); it never builds markup from data itself.
/// </summary>
internal static class DashboardScript
{
    public const string Js = """
(() => {
  const nearBottom = el => el.scrollHeight - el.scrollTop - el.clientHeight < 48;

  // An element with data-live-src is replaced every data-live-period ms by that fragment.
  for (const region of document.querySelectorAll('[data-live-src]')) {
    const scroller = region.closest('[data-stick-bottom]');
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
    let last = null, busy = false;
    region.refresh = async () => {
      if (busy || document.hidden || region.dataset.paused === 'true') return;
      busy = true;
      try {
        const response = await fetch(region.dataset.liveSrc, { cache: 'no-store' });
        if (!response.ok) throw new Error(String(response.status));
        const html = await response.text();
        document.body.classList.remove('offline');
        if (html !== last) {
          const stick = scroller && nearBottom(scroller);
          region.innerHTML = html;
          last = html;
          if (stick) scroller.scrollTop = scroller.scrollHeight;
        }
      } catch {
        document.body.classList.add('offline');
      } finally {
        busy = false;
      }
    };
    setInterval(region.refresh, Number(region.dataset.livePeriod || 1500));
  }

  // Typing in an input with data-live-param re-queries its region (and keeps the URL shareable).
  for (const input of document.querySelectorAll('[data-live-param]')) {
    const region = document.getElementById(input.dataset.liveTarget);
    let timer;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const src = new URL(region.dataset.liveSrc, location.href);
        src.searchParams.set(input.dataset.liveParam, input.value);
        region.dataset.liveSrc = src.pathname + src.search;
        const page = new URL(location.href);
        page.searchParams.set(input.dataset.liveParam, input.value);
        history.replaceState(null, '', page);
        region.refresh();
      }, 200);
    });
  }

  for (const button of document.querySelectorAll('[data-pause-target]')) {
    const region = document.getElementById(button.dataset.pauseTarget);
    button.addEventListener('click', () => {
      const paused = region.dataset.paused === 'true';
      region.dataset.paused = paused ? 'false' : 'true';
      button.textContent = paused ? 'Pause' : 'Resume';
    });
  }

  // Selects with data-autosubmit apply the filter at once.
  for (const select of document.querySelectorAll('select[data-autosubmit]'))
    select.addEventListener('change', () => select.form.submit());

  // A row with data-href opens its page; links inside the row keep working on their own.
  document.addEventListener('click', event => {
    const row = event.target.closest('tr[data-href]');
    if (row && !event.target.closest('a, button, input, select, summary')) location.href = row.dataset.href;
  });
})();
""";
}
