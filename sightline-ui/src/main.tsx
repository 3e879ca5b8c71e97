import { render } from 'preact';
import { App } from './App';
import { applyTheme, initialTheme } from './theme';
import './style.css';

applyTheme(initialTheme(), false);
render(<App />, document.getElementById('app')!);
