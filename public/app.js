// Progressive enhancements only; every page works without this file.
document.documentElement.classList.add('js');

document.addEventListener('click', (event) => {
  if (event.target.closest('[data-print]')) {
    window.print();
    return;
  }
  const button = event.target.closest('[data-copy]');
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute('data-copy')).then(() => {
    const label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
